package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.preference.DpoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./llm dpo}: preference tuning with DPO (the book's chapter 7 bonus) of an instruction-tuned model; flags checked, then {@link DpoRun}. */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Preference tuning with DPO (Book chapter 7, bonus): prints loss and reward margins, writes the model, metrics and plots to --out.")
final class DpoCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "A JSON array of {instruction, input, output, chosen, rejected} records (instruction-data-with-preference.json).")
    Path data;

    @Option(names = "--base", required = true, description = "The instruction-tuned model to start from (policy and reference): the output of 'finetune-instruct'.")
    Path base;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, metrics.csv, loss.png, reward-margins.png.")
    Path out;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO's beta (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--lr", defaultValue = "5e-6", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the training pairs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Pairs per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--eval-every", defaultValue = "5", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--max-length", description = "Cut sequences to this many tokens (default: the model's context).")
    Integer maxLength;

    @Option(names = "--compare", defaultValue = "3", description = "Test prompts answered by the reference and the tuned policy at the end (default: ${DEFAULT-VALUE}).")
    int compare;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @picocli.CommandLine.Mixin
    Distributed distributed = new Distributed();

    @picocli.CommandLine.Mixin
    DeviceFlag device = new DeviceFlag();

    @Override
    public Integer call() throws Exception {
        return distributed.run("dpo", this::work);
    }

    private int work(llm.training.DataParallel parallel) throws IOException {
        if (!(beta > 0)) throw new IllegalArgumentException("--beta must be > 0, got " + beta);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (epochs < 1 || batch < 1) throw new IllegalArgumentException("--epochs and --batch must be at least 1");
        if (evalEvery < 0 || evalBatches < 0 || compare < 0) throw new IllegalArgumentException("--eval-every, --eval-batches and --compare must be >= 0");
        if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("--max-length must be at least 2, got " + maxLength);
        if (!Files.isRegularFile(data)) throw new IllegalArgumentException("--data: no such file: " + data);
        TrainCommand.checkWritable(out);
        if (Files.exists(out.resolve("checkpoint.safetensors"))) throw new IllegalArgumentException("--out: " + out + " already holds a checkpoint; choose another folder");
        llm.device.Accelerator accelerator = device.accelerator();
        DpoRun run = new DpoRun(base, data, new DpoRun.Settings(beta, lr, weightDecay, epochs, batch, evalEvery, evalBatches, maxLength, seed), parallel);
        if (accelerator != null) {
            run.onDevice(accelerator);
            System.out.println("device: " + accelerator.description());
        }
        System.out.printf("data: %d training, %d validation, %d test pairs; %d batches per epoch%n", run.splits().train().size(),
                run.splits().validation().size(), run.splits().test().size(), run.batchesPerEpoch());
        Files.createDirectories(out);
        TrainingProgress progress = new TrainingProgress(System.out, run.batchesPerEpoch());
        long started = System.nanoTime();
        // the book's evaluation lines go below the progress bar, which is cleared first
        run.run(out, progress.linesBelow(), progress);
        progress.clear();
        if (parallel.rank() != 0) return 0;                         // rank 0 reports and writes
        System.out.printf("Training completed in %.2f minutes.%n", (System.nanoTime() - started) / 6e10);
        if (compare > 0) run.compareResponses(compare, 64, System.out);
        System.out.println("wrote " + out.resolve("checkpoint.safetensors") + ", metrics.csv, loss.png, reward-margins.png");
        return 0;
    }
}
