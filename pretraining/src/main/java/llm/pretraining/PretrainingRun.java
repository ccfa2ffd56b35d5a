package llm.pretraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.Gson;
import llm.data.Batch;
import llm.formats.AtomicFile;
import llm.generation.Generator;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.LearningRateSchedule;
import llm.tensor.SeededRandom;
import llm.tokenizer.Tokenizer;
import llm.training.Checkpoint;
import llm.training.DataParallel;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * A whole pretraining run (Book chapter 5 with Appendix D), assembled from its {@link PretrainingSettings}: the
 * tokenizer, the data ({@link PretrainingData}), the GPT, AdamW, the learning-rate schedule, the {@link Trainer}
 * with evaluation, samples and checkpoints in an output folder, and the loss plot written beside each
 * checkpoint. {@code ./llm train}, the examples and an application embedding the library all start runs here.
 *
 * {@snippet :
 * PretrainingRun run = PretrainingRun.start(settings, Path.of("runs/verdict"), false);
 * run.listener(new Trainer.Listener() { ... });   // progress, evaluation lines, samples
 * run.run();                                        // writes checkpoint.safetensors and loss.png
 * }
 */
public final class PretrainingRun {
    /** The checkpoint metadata key holding the settings. */
    public static final String SETTINGS_KEY = "pretraining_settings";
    /** The loss plot's file name in the output folder. */
    public static final String PLOT_NAME = "loss.png";
    private static final Gson GSON = new Gson();

    private final PretrainingSettings settings;
    private final Path checkpoint, plot;
    private final Tokenizer tokenizer;
    private final PretrainingData data;
    private final GPTModel model;
    private final Trainer<Batch> trainer;
    private final boolean resumed;
    private Trainer.Listener listener = new Trainer.Listener() {};
    private DeviceTrainer device;

    private PretrainingRun(PretrainingSettings s, Path outDir, boolean resume, DataParallel parallel) throws IOException {
        this.settings = s;
        this.checkpoint = outDir.resolve(Checkpoint.FILE_NAME);
        this.plot = outDir.resolve(PLOT_NAME);
        this.resumed = resume;
        this.tokenizer = s.tokenizer().create();
        // with several processes the stream yields global batches (ranks x batch rows), of which each takes its share
        this.data = PretrainingData.load(parallel.worldSize() > 1 ? s.withBatch(s.batch() * parallel.worldSize()) : s, tokenizer);
        long totalSteps = totalSteps(s, data);
        int sampleEvery = s.sampleEvery() >= 0 ? s.sampleEvery()
                : data.batchesPerEpoch() > 0 ? Math.max(1, data.batchesPerEpoch() / s.accumulate()) : (int) Math.max(1, totalSteps / 10);
        this.model = new GPTModel(s.model(), s.tiedHead(), new SeededRandom(s.seed()));
        AdamW optimizer = new AdamW(model.namedParameters(), s.lr(), AdamW.Options.withWeightDecay(s.weightDecay()));
        long warmup = Math.min(s.warmup(), totalSteps);
        LearningRateSchedule schedule = warmup > 0 || s.minLr() != s.lr()
                ? new LearningRateSchedule(initialLr(s, warmup), s.lr(), s.minLr(), warmup, totalSteps)
                : LearningRateSchedule.constant(s.lr());
        Trainer.Options options = Trainer.Options.steps(totalSteps).accumulate(s.accumulate())
                .clip(s.clip()).clipFromStep(s.clipDuringWarmup() ? 0 : warmup + 1)   // Appendix D: if global_step > warmup_steps
                .evalEvery(s.evalEvery()).evalBatches(s.evalBatches()).sampleEvery(sampleEvery)
                .checkpoint(checkpoint, s.checkpointEvery());
        this.trainer = Trainer.builder(model, optimizer, data.stream(), LanguageModelLoss.of(model))
                .schedule(schedule).options(options).evaluateOn(data.trainEval(), data.valEval()).random(model.random())
                .distributed(parallel, Trainer.BATCH_ROWS).build();
        GPTCheckpoints.describe(model, trainer.extraMetadata());
        s.tokenizer().putInto(trainer.extraMetadata());
        trainer.extraMetadata().put(SETTINGS_KEY, GSON.toJson(s));
        String start = s.prompt() != null ? s.prompt() : tokenizer.decode(new int[] {data.firstToken()});
        int[] startIds = tokenizer.encode(start);
        trainer.sampler(() -> tokenizer.decode(Generator.generateTextSimple(model, startIds, s.sampleTokens(), s.model().contextLength())));
        trainer.listener(new Trainer.Listener() {
            @Override public void onStep(Trainer.StepReport r) { listener.onStep(r); }
            @Override public void onEvaluation(Trainer.Evaluation e) { listener.onEvaluation(e); }
            @Override public void onSample(long step, String text) { listener.onSample(step, text); }
            @Override public void onCheckpoint(Path file, long step) {
                writePlot();
                listener.onCheckpoint(file, step);
            }
        });
        if (resume) Checkpoint.restore(checkpoint, trainer);
    }

    /**
     * A new run writing to {@code outDir}. Unless {@code overwrite}, refuses a folder that already holds a
     * checkpoint (resume it, or choose another folder); clears the temporary files a killed earlier run left there.
     */
    public static PretrainingRun start(PretrainingSettings settings, Path outDir, boolean overwrite) throws IOException {
        return start(settings, outDir, overwrite, DataParallel.SINGLE);
    }

    /** As above, as one of {@code parallel.worldSize()} processes (Book appendix A.9); {@code batch} is each process's rows. */
    public static PretrainingRun start(PretrainingSettings settings, Path outDir, boolean overwrite, DataParallel parallel) throws IOException {
        prepareOutput(outDir);
        Path existing = outDir.resolve(Checkpoint.FILE_NAME);
        if (!overwrite && Files.exists(existing)) {
            throw new IllegalArgumentException(existing + " already exists: resume that run, write to another folder, or overwrite it");
        }
        return new PretrainingRun(settings, outDir, false, parallel);
    }

    /** Continues the run saved in {@code outDir} with its saved settings (reading {@code dataOverride} instead, when given). */
    public static PretrainingRun resume(Path outDir, String dataOverride) throws IOException {
        return resume(outDir, dataOverride, DataParallel.SINGLE);
    }

    /**
     * As above, as one of {@code parallel.worldSize()} processes, which may be another number than the run had: the
     * weights, optimiser and data position are the checkpoint's; each process keeps the saved per-process batch.
     */
    public static PretrainingRun resume(Path outDir, String dataOverride, DataParallel parallel) throws IOException {
        Path file = outDir.resolve(Checkpoint.FILE_NAME);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no checkpoint to resume at " + file);
        String saved = Checkpoint.metadata(file).get(SETTINGS_KEY);
        if (saved == null) throw new IllegalArgumentException(file + " holds no pretraining settings (it was not written by a pretraining run of this version)");
        PretrainingSettings s = GSON.fromJson(saved, PretrainingSettings.class);
        if (dataOverride == null && !Files.exists(Path.of(s.data()))) {
            // runs store their data as an absolute path; one that moved (or an older run's relative path) is not guessed at
            throw new IllegalArgumentException("the run in " + outDir + " read " + s.data() + ", which is not there "
                    + (Path.of(s.data()).isAbsolute() ? "any more" : "from this folder") + "; resume with --data PATH");
        }
        prepareOutput(outDir);
        return new PretrainingRun(dataOverride != null ? s.withData(dataOverride) : s, outDir, true, parallel);
    }

    /** Creates the folder, checks it can be written, and removes stale temporaries of this run's files. */
    private static void prepareOutput(Path outDir) throws IOException {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the output folder " + outDir + ": " + e.getMessage());
        }
        if (!Files.isWritable(outDir)) throw new IllegalArgumentException("the output folder " + outDir + " is not writable");
        AtomicFile.clearStaleTemporaries(outDir.resolve(Checkpoint.FILE_NAME));
        AtomicFile.clearStaleTemporaries(outDir.resolve(PLOT_NAME));
    }

    /** Optimiser steps of the run: the given count, or the epochs' batches divided among the micro-batches. */
    static long totalSteps(PretrainingSettings s, PretrainingData d) {
        if (s.steps() > 0) return s.steps();
        if (d.batchesPerEpoch() == 0) throw new IllegalArgumentException(s.data() + " is a shard folder: give a number of steps (random windows have no epochs)");
        return Math.max(1, (long) s.epochs() * d.batchesPerEpoch() / s.accumulate());
    }

    /** Appendix D's {@code initial_lr}, or the peak over the warmup's length when none was given. */
    private static double initialLr(PretrainingSettings s, long warmup) {
        if (warmup == 0) return s.lr();
        return s.initialLr() != null ? s.initialLr() : s.lr() / warmup;
    }

    /** Receives the run's events (steps, evaluations, samples, checkpoints). */
    public PretrainingRun listener(Trainer.Listener l) {
        this.listener = l;
        return this;
    }

    /**
     * Takes every step on {@code accelerator} ({@code --device gpu}): parameters, gradients and AdamW's moments live
     * on the device; evaluations, samples and checkpoints run on the CPU from copies made at those steps. The device
     * draws its dropout masks from the model's generator as the CPU's step would (the same masks, the generator left
     * where the CPU leaves it). It has no gradient accumulation, and says so before any work.
     */
    public PretrainingRun onDevice(Accelerator accelerator) {
        if (settings.accumulate() != 1) throw new IllegalArgumentException("--device gpu trains without gradient accumulation: drop --accumulate " + settings.accumulate());
        device = accelerator.trainer(model, settings.batch(), settings.model().contextLength(), settings.weightDecay());
        trainer.engine(DeviceStepEngine.languageModel(device, model, trainer.optimizer(), settings.model().contextLength()));
        return this;
    }

    /** Trains to the last step; the final checkpoint and plot are written. */
    public void run() {
        try {
            trainer.run();
        } finally {
            if (device != null) device.close();              // frees the device's memory
        }
    }

    private void writePlot() {
        if (trainer.history().isEmpty()) return;
        try {
            LossPlot.write(plot, trainer.history(), "GPT training: " + Path.of(settings.data()).getFileName());
        } catch (IOException e) {
            System.err.println("could not write the loss plot " + plot + ": " + e.getMessage());
        }
    }

    /** The plot file, once there was an evaluation to plot (null before that, or without evaluations). */
    public Path plotFile() {
        return Files.exists(plot) ? plot : null;
    }

    public PretrainingSettings settings() {
        return settings;
    }

    public Trainer<Batch> trainer() {
        return trainer;
    }

    public GPTModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public PretrainingData data() {
        return data;
    }

    public Path checkpointFile() {
        return checkpoint;
    }

    public boolean resumed() {
        return resumed;
    }

    /** Lines describing the model, the data and the training, for the start of a log. */
    public List<String> summary(int threads) {
        PretrainingSettings s = settings;
        LearningRateSchedule schedule = trainer.schedule();
        return List.of(
                String.format("model: %d layers, %d heads, width %d, context %d, vocabulary %,d, %,d parameters (%s tokenizer)",
                        s.model().nLayers(), s.model().nHeads(), s.model().embDim(), s.model().contextLength(), s.model().vocabSize(),
                        model.numParameters(), s.tokenizer().name()),
                "data: " + data.summary(),
                String.format("training: %,d steps of %d x %d tokens%s, AdamW lr %.1e%s, weight decay %.2f%s, %d threads",
                        trainer.options().totalSteps(), s.batch() * s.accumulate(), s.model().contextLength(),
                        s.accumulate() > 1 ? " (" + s.accumulate() + " micro-batches)" : "", s.lr(),
                        schedule.warmupSteps() > 0 || s.minLr() != s.lr()
                                ? String.format(" (warmup %d from %.1e, cosine to %.1e)", schedule.warmupSteps(), schedule.initialLr(), s.minLr()) : "",
                        s.weightDecay(), s.clip() > 0 ? ", clip " + s.clip() + (s.clipDuringWarmup() ? "" : " after warmup") : "", threads));
    }
}
