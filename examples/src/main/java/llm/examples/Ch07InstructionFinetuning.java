package llm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import llm.instruction.InstructionRun;
import llm.instruction.PromptTemplate;
import llm.pretraining.PretrainedModel;
import llm.training.Trainer;

/**
 * Book §7.5-7.7: instruction fine-tuning with the book's loop and settings, then a response to a test instruction.
 * It needs a base: {@code ./llm example Ch07InstructionFinetuning path/to/gpt2-medium} runs the book's run (2 epochs
 * over 935 records); a checkpoint of {@code ./llm train} with GPT-2's tokenizer works too. Without one it says what
 * to give.
 */
public final class Ch07InstructionFinetuning {
    private Ch07InstructionFinetuning() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.println("give a base model: GPT-2 files (the book uses gpt2-medium) or a checkpoint of './llm train' with GPT-2's tokenizer");
            return;
        }
        PretrainedModel base = PretrainedModel.load(Path.of(args[0]));
        InstructionRun run = new InstructionRun(base, BookData.path("instruction-data.json"), InstructionRun.Settings.book());
        long[] counts = run.parameterCounts();
        System.out.printf("trainable parameters: %,d of %,d%n", counts[0], counts[1]);
        Path out = Files.createTempDirectory("ch07");
        run.run(out, new Trainer.Listener() {
            @Override
            public void onEvaluation(Trainer.Evaluation e) {
                System.out.printf("Ep %d (Step %06d): Train loss %.3f, Val loss %.3f%n", (e.step() - 1) / run.batchesPerEpoch() + 1, e.step() - 1, e.trainLoss(), e.valLoss());
            }

            @Override
            public void onSample(long step, String text) {
                System.out.println(text.replace("\n", " "));
            }
        });
        var entry = run.splits().test().get(0);
        System.out.println(PromptTemplate.ALPACA.formatInput(entry));
        System.out.println("\nCorrect response:\n>> " + entry.output());
        System.out.println("\nModel response:\n>> " + run.respond(PromptTemplate.ALPACA.formatInput(entry), 256));
    }
}
