package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import llm.instruction.InstructionRun;
import llm.instruction.PromptTemplate;
import llm.pretraining.PretrainedModel;
import llm.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./llm finetune-instruct}: Book chapter 7's instruction fine-tuning; the command checks its flags and calls {@link InstructionRun}. */
@Command(name = "finetune-instruct", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Instruction fine-tuning (Book chapter 7): writes the model, the loss plot and, with --responses, the test set's responses to --out.")
final class FinetuneInstructCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "A JSON array of {instruction, input, output} records (the book's instruction-data.json).")
    Path data;

    @Option(names = "--base", required = true, description = "The model to start from: a checkpoint of './llm train', or GPT-2 files (the book uses 355M).")
    Path base;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, loss.png, instruction-data-with-response.json.")
    Path out;

    @Option(names = "--template", defaultValue = "alpaca", description = "alpaca (the book's) or phi3 (exercise 7.1) (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--mask-instruction", description = "Leave the prompt's tokens out of the loss (exercise 7.2).")
    boolean maskInstruction;

    @Option(names = "--lora-rank", description = "Train LoRA adapters of this rank on every linear layer instead (exercise 7.4 uses 16).")
    Integer loraRank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA's alpha (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training records (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Records per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--eval-every", defaultValue = "5", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--max-length", description = "Cut sequences to this many tokens (default: the model's context).")
    Integer maxLength;

    @Option(names = "--responses", description = "Generate the responses to the test set and save them as instruction-data-with-response.json.")
    boolean responses;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Longest response, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of shuffling, dropout and LoRA (default: ${DEFAULT-VALUE}).")
    long seed;

    @picocli.CommandLine.Mixin
    Distributed distributed = new Distributed();

    @picocli.CommandLine.Mixin
    DeviceFlag device = new DeviceFlag();

    @Override
    public Integer call() throws Exception {
        return distributed.run("finetune-instruct", this::work);
    }

    private int work(llm.training.DataParallel parallel) throws IOException {
        if (loraRank != null && loraRank < 1) throw new IllegalArgumentException("--lora-rank must be at least 1, got " + loraRank);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("--eval-every and --eval-batches must be >= 0");
        if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("--max-length must be at least 2, got " + maxLength);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        PromptTemplate prompts;
        try {
            prompts = PromptTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--template: " + e.getMessage());
        }
        if (!Files.isRegularFile(data)) throw new IllegalArgumentException("--data: no such file: " + data);
        TrainCommand.checkWritable(out);
        if (Files.exists(out.resolve("checkpoint.safetensors"))) throw new IllegalArgumentException("--out: " + out + " already holds a checkpoint; choose another folder");
        llm.device.Accelerator accelerator = device.accelerator();
        if (accelerator != null && loraRank != null) throw new IllegalArgumentException("--device gpu trains every weight; LoRA adapters are not on the device: drop --lora-rank");
        PretrainedModel start = PretrainedModel.load(base);
        var settings = new InstructionRun.Settings(epochs, batch, lr, weightDecay, evalEvery, evalBatches, maxLength, prompts, maskInstruction,
                loraRank == null ? 0 : loraRank, loraAlpha, seed);
        InstructionRun run = new InstructionRun(start, data, settings, parallel);
        if (accelerator != null) {
            run.onDevice(accelerator);
            System.out.println("device: " + accelerator.description());
        }
        long[] counts = run.parameterCounts();
        System.out.printf("base: %s%n", start.description());
        System.out.printf("data: %d training, %d validation, %d test records; %d batches per epoch%n", run.splits().train().size(),
                run.splits().validation().size(), run.splits().test().size(), run.batchesPerEpoch());
        System.out.printf("trainable parameters: %,d of %,d%n", counts[0], counts[1]);
        Files.createDirectories(out);
        TrainingProgress progress = new TrainingProgress(System.out, run.batchesPerEpoch());
        long started = System.nanoTime();
        List<Trainer.Evaluation> history = run.run(out, progress);
        progress.clear();
        if (parallel.rank() != 0) return 0;                         // rank 0 reports and writes
        System.out.printf("Training completed in %.2f minutes.%n", (System.nanoTime() - started) / 6e10);
        if (!history.isEmpty()) {
            var last = history.get(history.size() - 1);
            System.out.printf("last evaluation: train loss %.3f, val loss %.3f%n", last.trainLoss(), last.valLoss());
        }
        String wrote = "wrote " + out.resolve("checkpoint.safetensors") + ", loss.png";
        if (responses) wrote += ", " + run.writeTestResponses(out, maxNewTokens, System.out).getFileName();
        System.out.println(wrote);
        return 0;
    }
}
