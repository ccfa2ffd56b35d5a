package llm.examples;

import java.io.IOException;
import java.nio.file.Path;

import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.generation.Generator;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.LearningRateSchedule;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * Book §5.2, "Training an LLM": {@code train_model_simple} on the-verdict, with the book's evaluation every 5
 * steps over 5 batches and a sample from "Every effort moves you" after each epoch; the loss plot of figure 5.12
 * is written to {@code ch05-loss.png}.
 *
 * <p>By default a narrow model (4 layers, width 256, context 128) so that it finishes in a few minutes on two
 * cores; {@code --book} runs the book's exact setting: 124M parameters, context 256, dropout 0.1, AdamW lr 4e-4
 * and weight decay 0.1, batch 2, 10 epochs (about 20 minutes on two cores). {@code ./llm train} is the same loop
 * with checkpoints and a progress bar.
 */
public final class Ch05PretrainingLoop {
    private Ch05PretrainingLoop() {}

    public static void main(String[] args) throws IOException {
        boolean book = args.length > 0 && args[0].equals("--book");
        GPTConfig cfg = book ? GPTConfig.GPT2_SMALL.withContextLength(256) : new GPTConfig(50257, 128, 256, 4, 4, 0.1f, false);
        int epochs = book ? 10 : 6;
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        String text = BookData.read("the-verdict.txt");
        int split = (int) (0.9 * text.length());
        GPTDatasetV1 train = new GPTDatasetV1(tok.encode(text.substring(0, split)), cfg.contextLength(), cfg.contextLength());
        GPTDatasetV1 val = new GPTDatasetV1(tok.encode(text.substring(split)), cfg.contextLength(), cfg.contextLength());

        SeededRandom rng = new SeededRandom(123);
        GPTModel model = new GPTModel(cfg, false, rng);
        DataLoader trainLoader = new DataLoader(train, 2, true, true, rng);
        int steps = epochs * trainLoader.size();
        AdamW optimizer = new AdamW(model.namedParameters(), 4e-4, AdamW.Options.withWeightDecay(0.1));
        Trainer trainer = new Trainer(model, optimizer, LearningRateSchedule.constant(4e-4), new EpochBatches(trainLoader, rng),
                new DataLoader(train, 2, false, true, null), new DataLoader(val, 2, false, false, null),
                new Trainer.Options(steps, 1, 0, 5, 5, trainLoader.size(), 0, null));
        int[] start = tok.encode("Every effort moves you");
        int perEpoch = trainLoader.size();
        trainer.sampler(m -> tok.decode(Generator.generateTextSimple(m, start, 50, cfg.contextLength())));
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onEvaluation(Trainer.Evaluation e) {
                System.out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f%n", (e.step() - 1) / perEpoch + 1, e.step() - 1, e.trainLoss(), e.valLoss());
            }

            @Override
            public void onSample(long step, String sample) {
                System.out.println(sample.replace("\n", " "));
            }
        });
        System.out.printf("%s: %,d parameters, %d windows of %d tokens for training, %d for validation, %d steps%n",
                book ? "the book's 124M model" : "a narrow model (--book for the book's)", model.numParameters(), train.size(), cfg.contextLength(), val.size(), steps);
        trainer.run();
        LossPlot.write(Path.of("ch05-loss.png"), trainer.history(), "Book §5.2: the-verdict");
        System.out.println("wrote ch05-loss.png");
    }
}
