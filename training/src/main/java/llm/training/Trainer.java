package llm.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.data.Batch;
import llm.data.BatchStream;
import llm.nn.Module;
import llm.optim.GradientClipping;
import llm.optim.LearningRateSchedule;
import llm.optim.Optimizer;
import llm.tensor.SeededRandom;

/**
 * The training loop of Book Appendix D ({@code train_model}): the book's {@code train_model_simple} (§5.2) plus
 * learning-rate warmup and cosine decay, gradient clipping, gradient accumulation over micro-batches, checkpoints,
 * and a stop with a clear message when the loss turns NaN or infinite. It trains any {@link Module} on any batch
 * type: all it needs is a {@link BatchLoss}. Pretraining (chapter 5), classification and instruction fine-tuning
 * are uses of it.
 *
 * <p>One optimiser step, read top to bottom in {@link #step()}:
 * <ol>
 * <li>set the learning rate from the schedule;
 * <li>for each of {@code accumulate} micro-batches: the loss divided by {@code accumulate}, backward (gradients
 * add up, so the step sees the mean gradient of all micro-batches);
 * <li>refuse a non-finite loss or gradient norm (the parameters stay as they were);
 * <li>clip the global gradient norm (from step {@code clipFromStep} on), then let the optimiser update the
 * parameters.
 * </ol>
 * Every {@code evalEvery} steps, and after the last, the model is evaluated (mean loss over {@code evalBatches}
 * batches of the training and the validation data, in evaluation mode, as the book's {@code evaluate_model});
 * every {@code sampleEvery} steps a sample is generated; every {@code checkpointEvery} steps, and at the end, a
 * checkpoint is written (atomically, see {@link Checkpoint}).
 *
 * <p>The book evaluates when {@code global_step % eval_freq == 0} with {@code global_step} counted from 0 after
 * the first update; so does this loop (after steps 1, 1 + evalEvery, ...), so its lines line up with the book's.
 *
 * {@snippet :
 * Trainer<Batch> trainer = Trainer.builder(model, new AdamW(model.namedParameters(), 4e-4, AdamW.Options.withWeightDecay(0.1)),
 *                 new EpochBatches<>(trainLoader, rng), batch -> LanguageModelLoss.calcLossBatch(model, batch))
 *         .options(Trainer.Options.steps(100).evalEvery(5).evalBatches(5))
 *         .evaluateOn(trainLoader, valLoader)
 *         .build();
 * trainer.run();
 * }
 *
 * @param <B> the batch type
 */
public final class Trainer<B> {
    /**
     * How long and how a run trains. Start from {@link #steps(long)} and change what differs:
     * {@code Options.steps(1000).accumulate(4).clip(1.0).evalEvery(50)}.
     *
     * @param totalSteps      optimiser steps of the whole run (a resumed run continues to the same total)
     * @param accumulate      micro-batches per optimiser step (1: none)
     * @param clipNorm        largest global gradient norm, or 0 for no clipping
     * @param clipFromStep    the first step (0-based) that is clipped; Appendix D clips only after the warmup
     * @param evalEvery       steps between evaluations, 0 for none
     * @param evalBatches     batches of each loader an evaluation averages over (the book's {@code eval_iter}), 0 for all
     * @param sampleEvery     steps between samples, 0 for none
     * @param checkpointEvery steps between checkpoints, 0 for only at the end (when {@code checkpoint} is set)
     * @param checkpoint      the checkpoint file, or null for none
     */
    public record Options(long totalSteps, int accumulate, double clipNorm, long clipFromStep, int evalEvery, int evalBatches,
                          int sampleEvery, int checkpointEvery, Path checkpoint) {
        public Options {
            if (totalSteps < 1) throw new IllegalArgumentException("training needs at least one step, got " + totalSteps);
            if (accumulate < 1) throw new IllegalArgumentException("accumulate must be at least 1, got " + accumulate);
            if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
            if (clipFromStep < 0) throw new IllegalArgumentException("clipFromStep must be >= 0, got " + clipFromStep);
            if (evalEvery < 0 || evalBatches < 0 || sampleEvery < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("evalEvery, evalBatches, sampleEvery and checkpointEvery must be >= 0");
            }
        }

        /** {@code totalSteps} steps with the defaults: no accumulation, no clipping, no evaluation, samples or checkpoint. */
        public static Options steps(long totalSteps) {
            return new Options(totalSteps, 1, 0, 0, 0, 0, 0, 0, null);
        }

        public Options totalSteps(long n) {
            return new Options(n, accumulate, clipNorm, clipFromStep, evalEvery, evalBatches, sampleEvery, checkpointEvery, checkpoint);
        }

        public Options accumulate(int n) {
            return new Options(totalSteps, n, clipNorm, clipFromStep, evalEvery, evalBatches, sampleEvery, checkpointEvery, checkpoint);
        }

        /** Clip the global gradient norm to {@code maxNorm} at every step. */
        public Options clip(double maxNorm) {
            return new Options(totalSteps, accumulate, maxNorm, clipFromStep, evalEvery, evalBatches, sampleEvery, checkpointEvery, checkpoint);
        }

        /** Clip only from step {@code step} (0-based) on: Appendix D's {@code if global_step > warmup_steps} is {@code warmup + 1}. */
        public Options clipFromStep(long step) {
            return new Options(totalSteps, accumulate, clipNorm, step, evalEvery, evalBatches, sampleEvery, checkpointEvery, checkpoint);
        }

        public Options evalEvery(int n) {
            return new Options(totalSteps, accumulate, clipNorm, clipFromStep, n, evalBatches, sampleEvery, checkpointEvery, checkpoint);
        }

        public Options evalBatches(int n) {
            return new Options(totalSteps, accumulate, clipNorm, clipFromStep, evalEvery, n, sampleEvery, checkpointEvery, checkpoint);
        }

        public Options sampleEvery(int n) {
            return new Options(totalSteps, accumulate, clipNorm, clipFromStep, evalEvery, evalBatches, n, checkpointEvery, checkpoint);
        }

        /** Write {@code file} every {@code every} steps (0: only at the end). */
        public Options checkpoint(Path file, int every) {
            return new Options(totalSteps, accumulate, clipNorm, clipFromStep, evalEvery, evalBatches, sampleEvery, every, file);
        }
    }

    /** What one optimiser step did. */
    public record StepReport(long step, long totalSteps, double loss, double learningRate, double gradNorm, long tokensSeen, long tokensInStep, double seconds) {
        /** The book's evaluation schedule ({@code global_step % eval_freq == 0}, from step 0) plus the last step; never when {@code every <= 0}. */
        public boolean evaluatesEvery(int every) {
            return every > 0 && ((step - 1) % every == 0 || step == totalSteps);
        }
    }

    /** Mean train and validation loss at a step (NaN when there is no such data). */
    public record Evaluation(long step, long tokensSeen, double trainLoss, double valLoss) {}

    /** Receives the loop's events, to print or plot them; every method does nothing by default. */
    public interface Listener {
        default void onStep(StepReport report) {}

        default void onEvaluation(Evaluation evaluation) {}

        default void onSample(long step, String text) {}

        default void onCheckpoint(Path file, long step) {}
    }

    /**
     * Starts a trainer of {@code model} with {@code optimizer} on the batches of {@code data}, minimising {@code
     * loss}; the rest has defaults (a constant learning rate, {@code Options.steps(1)}, no evaluation).
     */
    public static <B> Builder<B> builder(Module model, Optimizer optimizer, BatchStream<B> data, BatchLoss<B> loss) {
        return new Builder<>(model, optimizer, data, loss);
    }

    /** The optional parts of a trainer, each with a default. */
    public static final class Builder<B> {
        private final Module model;
        private final Optimizer optimizer;
        private final BatchStream<B> data;
        private final BatchLoss<B> loss;
        private LearningRateSchedule schedule;
        private Options options = Options.steps(1);
        private Iterable<B> trainEval, valEval;
        private SeededRandom random;
        private ToLongFunction<B> tokens = b -> b instanceof Batch batch ? batch.inputs().numel() : 0;
        private DataParallel parallel = DataParallel.SINGLE;
        private DataParallel.Rows<B> rows;

        private Builder(Module model, Optimizer optimizer, BatchStream<B> data, BatchLoss<B> loss) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.data = Objects.requireNonNull(data, "data");
            this.loss = Objects.requireNonNull(loss, "loss");
        }

        /** The learning rate per step (default: the optimiser's rate, constant). */
        public Builder<B> schedule(LearningRateSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder<B> options(Options o) {
            this.options = o;
            return this;
        }

        /** Batches to evaluate the training and validation loss on (in a fixed order); either may be null. */
        public Builder<B> evaluateOn(Iterable<B> train, Iterable<B> val) {
            this.trainEval = train;
            this.valEval = val;
            return this;
        }

        /** The generator dropout draws from, saved and restored with checkpoints so that a resume is bit-exact. */
        public Builder<B> random(SeededRandom rng) {
            this.random = rng;
            return this;
        }

        /** How many tokens a batch holds, for the tokens-seen count (default: a {@link Batch}'s inputs, else 0). */
        public Builder<B> tokens(ToLongFunction<B> count) {
            this.tokens = count;
            return this;
        }

        /**
         * Trains as one of {@code parallel.worldSize()} processes (Book appendix A.9): the data stream yields global
         * batches, of which this process takes rows {@code rank·b .. (rank+1)·b - 1} ({@code b} = global rows / world
         * size); gradients and the reported loss are averaged over the processes; only rank 0 evaluates, samples,
         * reports to the listener and writes checkpoints.
         */
        public Builder<B> distributed(DataParallel parallel, DataParallel.Rows<B> rows) {
            this.parallel = Objects.requireNonNull(parallel, "parallel");
            this.rows = Objects.requireNonNull(rows, "rows");
            return this;
        }

        public Trainer<B> build() {
            return new Trainer<>(this);
        }
    }

    private final Module model;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final BatchStream<B> data;
    private final BatchLoss<B> loss;
    private final Iterable<B> trainEval, valEval;
    private final Options options;
    private final SeededRandom random;
    private final ToLongFunction<B> tokens;
    private final DataParallel parallel;
    private final DataParallel.Rows<B> rows;
    private Listener listener = new Listener() {};
    private Supplier<String> sampler;
    private StepEngine<B> engine;
    private final Map<String, String> extraMetadata = new LinkedHashMap<>();

    private long step;
    private long tokensSeen;
    private final List<Evaluation> history = new ArrayList<>();

    private Trainer(Builder<B> b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule != null ? b.schedule : LearningRateSchedule.constant(b.optimizer.learningRate());
        this.data = b.data;
        this.loss = b.loss;
        this.trainEval = b.trainEval;
        this.valEval = b.valEval;
        this.options = b.options;
        this.random = b.random;
        this.tokens = b.tokens;
        this.parallel = b.parallel;
        this.rows = b.rows;
        // every process starts from rank 0's weights, whatever its own seed gave
        if (parallel.worldSize() > 1) parallel.broadcastFromRankZero(Optimizer.distinct(model.namedParameters()).values());
    }

    /** How a {@link Batch} of token rows splits among processes: by rows. */
    public static final DataParallel.Rows<Batch> BATCH_ROWS = new DataParallel.Rows<>() {
        @Override
        public int count(Batch b) {
            return b.inputs().dim(0);
        }

        @Override
        public Batch slice(Batch b, int from, int to) {
            return b.rows(from, to);
        }
    };

    /** True for the process that prints, evaluates and writes checkpoints (the only one unless distributed). */
    public boolean isLeader() {
        return parallel.rank() == 0;
    }

    public Trainer<B> listener(Listener l) {
        this.listener = l;
        return this;
    }

    /** Generates the text shown every {@code sampleEvery} steps (called in evaluation mode, without gradients). */
    public Trainer<B> sampler(Supplier<String> s) {
        this.sampler = s;
        return this;
    }

    /**
     * Computes every step with {@code engine} instead of autograd and the optimiser (set it after a restore: a device
     * engine copies the restored weights and state to the device). It trains without accumulation and in one process.
     * The loop syncs the engine before its evaluations, samples and checkpoints; {@link #evaluate()} or
     * {@link #saveCheckpoint()} called from outside the loop see the state of the last sync.
     */
    public Trainer<B> engine(StepEngine<B> engine) {
        if (options.accumulate() != 1) throw new IllegalArgumentException("a step engine trains without gradient accumulation (accumulate is " + options.accumulate() + ")");
        if (parallel.worldSize() != 1) throw new IllegalArgumentException("a step engine trains in one process, not " + parallel.worldSize());
        this.engine = engine;
        return this;
    }

    /** Strings saved with every checkpoint (the model's configuration, the tokenizer), so that a later command can rebuild the setting. */
    public Map<String, String> extraMetadata() {
        return extraMetadata;
    }

    /** Runs until {@code totalSteps} (from wherever a restored checkpoint left off). */
    public void run() {
        runUntil(options.totalSteps());
    }

    /** Runs until step {@code lastStep} (at most {@code totalSteps}); a test stops early this way and resumes. */
    public void runUntil(long lastStep) {
        long end = Math.min(lastStep, options.totalSteps());
        model.train();
        while (step < end) {
            step();
            if (!isLeader()) continue;      // the other processes only compute and exchange gradients
            boolean lastOfRun = step == options.totalSteps();
            boolean evaluates = options.evalEvery() > 0 && ((step - 1) % options.evalEvery() == 0 || lastOfRun);
            boolean samples = sampler != null && options.sampleEvery() > 0 && (step % options.sampleEvery() == 0 || lastOfRun);
            boolean saves = options.checkpoint() != null && ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || lastOfRun);
            if (engine != null && (evaluates || samples || saves)) engine.sync();
            if (evaluates) evaluate();
            if (samples) sample();
            if (saves) saveCheckpoint();
        }
    }

    /** One optimiser step over {@code accumulate} micro-batches; returns the mean micro-batch loss. */
    public double step() {
        long started = System.nanoTime();
        double lr = schedule.at(step);
        if (engine != null) return engineStep(started, lr);
        optimizer.setLearningRate(lr);
        optimizer.zeroGrad();
        double total = 0;
        long tokensBefore = tokensSeen;
        for (int micro = 0; micro < options.accumulate(); micro++) {
            B batch = data.next();
            tokensSeen += tokens.applyAsLong(batch);           // the global batch: every process's rows
            if (parallel.worldSize() > 1) batch = myRows(batch);
            Tensor l = loss.loss(batch);
            if (options.accumulate() > 1) l = l.div(options.accumulate());
            float value = l.item();
            if (!Float.isFinite(value)) throw diverged("loss is " + value);
            l.backward();
            total += value;
        }
        if (parallel.worldSize() > 1) {
            parallel.averageGradients(optimizer.parameters().values());
            total = parallel.average(total);
        }
        boolean clip = options.clipNorm() > 0 && step >= options.clipFromStep();
        double norm = clip
                ? GradientClipping.clipGlobalNorm(optimizer.parameters().values(), options.clipNorm())
                : GradientClipping.globalNorm(optimizer.parameters().values());
        if (!Double.isFinite(norm)) throw diverged("gradient norm is " + norm);
        optimizer.step();
        step++;
        if (isLeader()) listener.onStep(new StepReport(step, options.totalSteps(), total, lr, norm, tokensSeen, tokensSeen - tokensBefore, (System.nanoTime() - started) / 1e9));
        return total;
    }

    /**
     * A step on the {@link StepEngine}: the same checks and report as the autograd step. A device has applied its
     * update by the time a non-finite loss or norm comes back; the trainer's model and its checkpoint still hold the
     * last synced state, which is what the divergence message's "last good checkpoint" names.
     */
    private double engineStep(long started, double lr) {
        B batch = data.next();
        long inStep = tokens.applyAsLong(batch);
        StepEngine.Outcome o = engine.step(batch, lr, options.clipNorm() > 0 && step >= options.clipFromStep() ? options.clipNorm() : 0);
        if (!Double.isFinite(o.loss())) throw diverged("loss is " + o.loss());
        if (!Double.isFinite(o.gradNorm())) throw diverged("gradient norm is " + o.gradNorm());
        tokensSeen += inStep;
        step++;
        listener.onStep(new StepReport(step, options.totalSteps(), o.loss(), lr, o.gradNorm(), tokensSeen, inStep, (System.nanoTime() - started) / 1e9));
        return o.loss();
    }

    /** This process's rows of a global batch (DistributedSampler's share, contiguous). */
    private B myRows(B global) {
        int n = rows.count(global), world = parallel.worldSize();
        if (n % world != 0) throw new IllegalArgumentException("a global batch of " + n + " rows does not split among " + world + " processes");
        int b = n / world;
        return rows.slice(global, parallel.rank() * b, (parallel.rank() + 1) * b);
    }

    private TrainingDivergedException diverged(String what) {
        long failing = step + 1;
        String kept = options.checkpoint() == null ? "no checkpoint was configured"
                : "the last good checkpoint is " + options.checkpoint()
                  + (options.checkpointEvery() > 0 ? " (saved every " + options.checkpointEvery() + " steps)" : " (saved at the end only, so none from this run)");
        return new TrainingDivergedException(failing, "training stopped at step " + failing + ": the " + what
                + " (learning rate " + schedule.at(step) + "); the update was not applied; " + kept
                + ". A lower learning rate, warmup or gradient clipping usually helps.");
    }

    /** Mean train and validation losses in evaluation mode (the book's {@code evaluate_model}); recorded in the history. */
    public Evaluation evaluate() {
        model.eval();
        try {
            double train = trainEval == null ? Double.NaN : BatchLoss.meanLoss(loss, trainEval, options.evalBatches());
            double val = valEval == null ? Double.NaN : BatchLoss.meanLoss(loss, valEval, options.evalBatches());
            Evaluation e = new Evaluation(step, tokensSeen, train, val);
            history.add(e);
            listener.onEvaluation(e);
            return e;
        } finally {
            model.train();
        }
    }

    private void sample() {
        model.eval();
        try (var off = Grad.off()) {
            listener.onSample(step, sampler.get());
        } finally {
            model.train();
        }
    }

    /** Writes the checkpoint now (also called by the loop). */
    public void saveCheckpoint() {
        try {
            Checkpoint.save(options.checkpoint(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint " + options.checkpoint() + ": " + e.getMessage(), e);
        }
        listener.onCheckpoint(options.checkpoint(), step);
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    public BatchStream<B> data() {
        return data;
    }

    public Options options() {
        return options;
    }

    /** The dropout generator a checkpoint saves, or null. */
    public SeededRandom random() {
        return random;
    }

    /** Optimiser steps taken. */
    public long stepsDone() {
        return step;
    }

    public long tokensSeen() {
        return tokensSeen;
    }

    /** Every evaluation so far (including those before a resume), for the loss plot. */
    public List<Evaluation> history() {
        return Collections.unmodifiableList(history);
    }

    /** Sets the counters a checkpoint restores. */
    void restoreProgress(long step, long tokensSeen, List<Evaluation> history) {
        this.step = step;
        this.tokensSeen = tokensSeen;
        this.history.clear();
        this.history.addAll(history);
    }
}
