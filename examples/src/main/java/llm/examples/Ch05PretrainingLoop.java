package llm.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.GPTDatasetV1;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.pretraining.TrainModelSimple;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * Book §5.2, "Training an LLM": the book's {@code train_model_simple} on the-verdict, with evaluation every 5
 * steps over 5 batches and a sample from "Every effort moves you" after each epoch, line for line as the book
 * calls it ({@link TrainModelSimple}); the loss plot of figure 5.12 is written to {@code ch05-loss.png}.
 *
 * <p>By default a narrow model (4 layers, width 256, context 128) so that it finishes in a few minutes on two
 * cores; {@code --book} runs the book's exact setting: 124M parameters, context 256, dropout 0.1, AdamW lr 4e-4
 * and weight decay 0.1, batch 2, 10 epochs (about 20 minutes on two cores). {@code ./llm train} runs the Appendix
 * D loop ({@link llm.training.Trainer}) with checkpoints, a progress bar and the loss plot.
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

        SeededRandom rng = new SeededRandom(123);                      // torch.manual_seed(123): one generator for all
        GPTModel model = new GPTModel(cfg, false, rng);
        DataLoader<Batch> trainLoader = new DataLoader<>(train, 2, true, true, rng);
        DataLoader<Batch> valLoader = new DataLoader<>(val, 2, false, false, null);
        AdamW optimizer = new AdamW(model.namedParameters(), 4e-4, AdamW.Options.withWeightDecay(0.1));
        System.out.printf("%s: %,d parameters, %d windows of %d tokens for training, %d for validation%n",
                book ? "the book's 124M model" : "a narrow model (--book for the book's)", model.numParameters(), train.size(), cfg.contextLength(), val.size());
        var history = TrainModelSimple.trainModelSimple(model, trainLoader, valLoader, optimizer, epochs, 5, 5,
                "Every effort moves you", tok, System.out);
        List<Trainer.Evaluation> points = new ArrayList<>();
        for (int i = 0; i < history.trainLosses().size(); i++) {
            points.add(new Trainer.Evaluation(i * 5L + 1, history.tokensSeen().get(i), history.trainLosses().get(i), history.valLosses().get(i)));
        }
        LossPlot.write(Path.of("ch05-loss.png"), points, "Book §5.2: the-verdict");   // figure 5.12
        System.out.printf("wrote ch05-loss.png; %d evaluations; last: train loss %.3f, val loss %.3f, %,d tokens seen%n", history.trainLosses().size(),
                history.trainLosses().getLast(), history.valLosses().getLast(), history.tokensSeen().getLast());
    }
}
