package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.rlhf.RewardLoss;
import llm.rlhf.RewardModelRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./llm reward-model}: a reward model trained on preference pairs (Book §8.3-8.4); flags checked, then {@link RewardModelRun}. */
@Command(name = "reward-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a reward model on preference pairs (Book chapter 8): prints loss, pairwise accuracy and margin, writes the model, metrics and plots to --out.")
final class RewardModelCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "A JSON array of {instruction, input, output, chosen, rejected} records (instruction-data-with-preference.json).")
    Path data;

    @Option(names = "--base", required = true, description = "The model to start from: the output of 'finetune-instruct' (or 'train', or GPT-2 files).")
    Path base;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, metrics.csv, loss.png, accuracy.png.")
    Path out;

    @Option(names = "--lr", defaultValue = "1e-5", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--center", defaultValue = "0", description = "Reward centring: adds this times mean((r_chosen + r_rejected)^2) to the loss (default: ${DEFAULT-VALUE}, off).")
    double center;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the training pairs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Pairs per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--eval-every", defaultValue = "10", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "0", description = "Batches per evaluation, 0 for all (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--max-length", description = "Cut sequences to this many tokens (default: the model's context).")
    Integer maxLength;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the head and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @picocli.CommandLine.Mixin
    DeviceFlag device = new DeviceFlag();

    @Override
    public Integer call() throws IOException {
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (!(center >= 0)) throw new IllegalArgumentException("--center must be >= 0, got " + center);
        if (epochs < 1 || batch < 1) throw new IllegalArgumentException("--epochs and --batch must be at least 1");
        if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("--eval-every and --eval-batches must be >= 0");
        if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("--max-length must be at least 2, got " + maxLength);
        if (!Files.isRegularFile(data)) throw new IllegalArgumentException("--data: no such file: " + data);
        TrainCommand.checkWritable(out);
        if (Files.exists(out.resolve("checkpoint.safetensors"))) throw new IllegalArgumentException("--out: " + out + " already holds a checkpoint; choose another folder");
        llm.device.Accelerator accelerator = device.accelerator();
        RewardModelRun run = new RewardModelRun(base, data, new RewardModelRun.Settings(lr, weightDecay, center, epochs, batch, evalEvery, evalBatches, maxLength, seed));
        if (accelerator != null) {
            run.onDevice(accelerator);
            System.out.println("device: " + accelerator.description());
        }
        System.out.printf("data: %d training, %d validation, %d test pairs; %d batches per epoch%n", run.splits().train().size(),
                run.splits().validation().size(), run.splits().test().size(), run.batchesPerEpoch());
        Files.createDirectories(out);
        TrainingProgress progress = new TrainingProgress(System.out, run.batchesPerEpoch());
        long started = System.nanoTime();
        run.run(out, progress.linesBelow(), progress);
        progress.clear();
        System.out.printf("Training completed in %.2f minutes.%n", (System.nanoTime() - started) / 6e10);
        RewardLoss.Stats test = run.test();
        System.out.printf("test pairs: loss %.3f, pairwise accuracy %.1f%%, mean margin %.3f%n", test.loss(), 100 * test.accuracy(), test.margin());
        System.out.println("wrote " + out.resolve("checkpoint.safetensors") + ", metrics.csv, loss.png, accuracy.png");
        return 0;
    }
}
