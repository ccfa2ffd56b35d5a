package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.device.Accelerator;
import llm.gpt.GPTConfig;
import llm.pretraining.PretrainingData;
import llm.pretraining.PretrainingRun;
import llm.training.DataParallel;
import llm.pretraining.PretrainingSettings;
import llm.pretraining.TokenizerSpec;
import llm.tensor.Parallelism;
import llm.training.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./llm train}: pretraining (Book chapter 5, Appendix D, the course) on a text file or on prepared token
 * shards, with a progress bar, the book's evaluation lines, samples, checkpoints and a loss plot.
 *
 * <p>The command parses and checks its flags, then hands a {@link PretrainingSettings} to {@link PretrainingRun},
 * which reads the data (a text file split 90/10 and read in epochs, or shards read in random windows), builds the
 * model and trains it; this class only prints what the run reports.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrain a GPT on a text file or on token shards made by 'prepare'; writes checkpoint.safetensors and loss.png to --out.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", description = "A UTF-8 text file, or a folder of shards from './llm prepare'.")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, loss.png.")
    Path out;

    @Option(names = "--resume", description = "Continue the run saved in --out with its saved settings (other options are ignored).")
    boolean resume;

    @picocli.CommandLine.Mixin
    Distributed distributed = new Distributed();

    @Mixin
    DeviceFlag device = new DeviceFlag();

    @Option(names = "--overwrite", description = "Start a new run even if --out already holds a checkpoint (it is replaced).")
    boolean overwrite;

    @Option(names = "--tokenizer", defaultValue = "gpt2", description = "gpt2 or char, for a text file (default: ${DEFAULT-VALUE}); shards bring their own.")
    String tokenizer;

    @Mixin
    ModelOptions model;

    @Option(names = "--context", defaultValue = "256", description = "Context length in tokens (default: ${DEFAULT-VALUE}, the book's).")
    int context;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout rate (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--qkv-bias", description = "Give the query, key and value projections a bias.")
    boolean qkvBias;

    @Option(names = "--tie", description = "Tie the output head to the token embedding (GPT-2's choice; the book's model does not).")
    boolean tie;

    @Option(names = "--batch", defaultValue = "2", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "4e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--initial-lr", description = "Learning rate of the first warmup step, Appendix D's initial_lr (default: --lr divided by --warmup).")
    Double initialLr;

    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine decay (default: --lr, no decay).")
    Double minLr;

    @Option(names = "--warmup", defaultValue = "0", description = "Linear warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "0", description = "Clip the global gradient norm to this; 0 for none (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--clip-during-warmup", description = "Clip from the first step; Appendix D clips only after the warmup (the default).")
    boolean clipDuringWarmup;

    @Option(names = "--accumulate", defaultValue = "1", description = "Micro-batches per optimiser step (default: ${DEFAULT-VALUE}).")
    int accumulate;

    @Option(names = "--epochs", description = "Passes over a text file (default 10, the book's).")
    Integer epochs;

    @Option(names = "--steps", description = "Optimiser steps (instead of --epochs; required for shards).")
    Long steps;

    @Option(names = "--eval-every", defaultValue = "5", description = "Steps between evaluations (default: ${DEFAULT-VALUE}, the book's eval_freq).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}, the book's eval_iter).")
    int evalBatches;

    @Option(names = "--sample-every", description = "Steps between samples (default: once per epoch, or every 10%% of the steps).")
    Integer sampleEvery;

    @Option(names = "--prompt", description = "Start of the samples (default: \"Every effort moves you\" for gpt2, the text's first character for char).")
    String prompt;

    @Option(names = "--sample-tokens", defaultValue = "50", description = "Tokens per sample (default: ${DEFAULT-VALUE}).")
    int sampleTokens;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Steps between checkpoints; 0 saves at the end only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "Share of a text file kept for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the weights, dropout and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        return distributed.run("train", this::train);
    }

    private int train(DataParallel parallel) throws IOException {
        Accelerator accelerator = device.accelerator();
        if (accelerator != null && parallel.worldSize() > 1) throw new IllegalArgumentException("--device gpu trains in one process: drop --distributed");
        if (accelerator != null && !resume && accumulate != 1) throw new IllegalArgumentException("--device gpu trains without gradient accumulation: drop --accumulate");
        PretrainingRun run;
        if (resume) {
            run = PretrainingRun.resume(out, data == null ? null : data.toString(), parallel);
            System.out.printf("resuming %s at step %d of %d%n", run.checkpointFile(), run.trainer().stepsDone(), run.trainer().options().totalSteps());
        } else {
            if (data == null) throw new IllegalArgumentException("--data is required (a text file or a shard folder)");
            PretrainingSettings settings = settingsFromOptions();
            if (!overwrite && Files.exists(out.resolve(Checkpoint.FILE_NAME))) {
                throw new IllegalArgumentException("--out: " + out.resolve(Checkpoint.FILE_NAME) + " already exists; continue that run with --resume, "
                        + "or start over with --overwrite");
            }
            run = PretrainingRun.start(settings, out, overwrite, parallel);
        }
        if (accelerator != null) {
            run.onDevice(accelerator);
            System.out.println("device: " + accelerator.description() + " (parameters, gradients and AdamW's moments on the device)");
        }
        TrainingProgress progress = new TrainingProgress(System.out, run.data().batchesPerEpoch() / run.settings().accumulate());
        run.listener(progress);
        run.summary(Parallelism.DEFAULT.threads()).forEach(System.out::println);
        if (parallel.worldSize() > 1) {
            System.out.printf("data parallel: %d processes x %d threads, %d rows each of every global batch of %d%n", parallel.worldSize(),
                    Parallelism.DEFAULT.threads(), run.settings().batch(), run.settings().batch() * parallel.worldSize());
        }
        long started = System.nanoTime();
        long tokensBefore = run.trainer().tokensSeen();
        run.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        long tokens = run.trainer().tokensSeen() - tokensBefore;
        System.out.printf("done: %,d steps, %,d tokens in %s (%,.0f tokens/s)%n", run.trainer().stepsDone(), tokens,
                TrainingProgress.clock(seconds), tokens / Math.max(seconds, 1e-9));
        Path plot = run.plotFile();
        System.out.println("wrote " + run.checkpointFile() + (plot != null ? " and " + plot : " (no evaluations, so no loss plot)"));
        return 0;
    }

    /** The settings the options describe, every flag checked before any data is read. */
    private PretrainingSettings settingsFromOptions() throws IOException {
        positive("--batch", batch);
        positive("--context", context);
        positive("--accumulate", accumulate);
        positive("--sample-tokens", sampleTokens);
        nonNegative("--warmup", warmup);
        nonNegative("--eval-every", evalEvery);
        nonNegative("--eval-batches", evalBatches);
        nonNegative("--checkpoint-every", checkpointEvery);
        if (sampleEvery != null) nonNegative("--sample-every", sampleEvery);
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (epochs != null && epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (epochs != null && steps != null) throw new IllegalArgumentException("give --epochs or --steps, not both");
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (minLr != null && !(minLr >= 0)) throw new IllegalArgumentException("--min-lr must be >= 0, got " + minLr);
        if (initialLr != null && !(initialLr >= 0)) throw new IllegalArgumentException("--initial-lr must be >= 0, got " + initialLr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        if (!(clip >= 0)) throw new IllegalArgumentException("--clip must be >= 0, got " + clip);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        if (!tokenizer.equals("gpt2") && !tokenizer.equals("char")) throw new IllegalArgumentException("--tokenizer must be gpt2 or char, got '" + tokenizer + "'");
        checkWritable(out);
        if (!Files.exists(data)) throw new IllegalArgumentException("--data: no such file or folder: " + data);
        if (!Files.isRegularFile(data) && !Files.isDirectory(data)) throw new IllegalArgumentException("--data: " + data + " is neither a file nor a folder (a device?)");
        TokenizerSpec tok;
        if (Files.isDirectory(data)) {
            tok = PretrainingData.shardTokenizer(data);
            if (steps == null) throw new IllegalArgumentException("--steps is required when --data is a shard folder (random windows have no epochs)");
        } else {
            tok = PretrainingData.textTokenizer(data, tokenizer);
        }
        int vocab = tok.name().equals("gpt2") ? GPTConfig.GPT2_SMALL.vocabSize() : tok.create().vocabSize();
        GPTConfig config = model.config(vocab, context, dropout, qkvBias);
        String start = prompt != null ? prompt : tok.name().equals("gpt2") ? "Every effort moves you" : null;
        PretrainingSettings.Builder settings = PretrainingSettings.builder(data.toAbsolutePath().toString(), tok, config)
                .tiedHead(tie).batch(batch).learningRate(lr).warmup(warmup, initialLr).weightDecay(weightDecay)
                .clip(clip, clipDuringWarmup).accumulate(accumulate)
                .evaluation(evalEvery, evalBatches).samples(sampleEvery == null ? -1 : sampleEvery, start, sampleTokens)
                .checkpointEvery(checkpointEvery).valFraction(valFraction).seed(seed);
        if (minLr != null) settings.cosineTo(minLr);
        if (steps != null) settings.steps(steps);
        else settings.epochs(epochs == null ? 10 : epochs);
        return settings.build();
    }

    private static void positive(String flag, long value) {
        if (value < 1) throw new IllegalArgumentException(flag + " must be at least 1, got " + value);
    }

    private static void nonNegative(String flag, long value) {
        if (value < 0) throw new IllegalArgumentException(flag + " must be >= 0, got " + value);
    }

    /** {@code --out} must be a folder this process can create and write to. */
    static void checkWritable(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new IllegalArgumentException("--out: cannot write to " + dir + (existing != null && !Files.isDirectory(existing) ? " (" + existing + " is a file)" : ""));
        }
    }
}
