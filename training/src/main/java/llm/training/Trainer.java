package llm.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.data.Batch;
import llm.data.BatchStream;
import llm.gpt.GPTModel;
import llm.optim.GradientClipping;
import llm.optim.LearningRateSchedule;
import llm.optim.Optimizer;

/**
 * The pretraining loop of Book §5.2 ({@code train_model_simple}) with the additions of Appendix D and the
 * course: learning-rate warmup and cosine decay, gradient clipping, gradient accumulation over micro-batches,
 * checkpoints, and a stop with a clear message when the loss turns NaN or infinite.
 *
 * <p>One optimiser step, read top to bottom in {@link #step()}:
 * <ol>
 * <li>set the learning rate from the schedule;
 * <li>for each of {@code accumulate} micro-batches: forward, cross-entropy divided by {@code accumulate}, backward
 * (gradients add up, so the step sees the mean gradient of all micro-batches);
 * <li>refuse a non-finite loss or gradient norm (the parameters stay as they were);
 * <li>clip the global gradient norm, then let the optimiser update the parameters.
 * </ol>
 * Every {@code evalEvery} steps the model is evaluated (mean loss over {@code evalBatches} batches of the
 * training and the validation data, in evaluation mode, as the book's {@code evaluate_model}); every {@code
 * sampleEvery} steps a sample is generated; every {@code checkpointEvery} steps, and at the end, a checkpoint
 * is written (atomically, see {@link Checkpoint}).
 *
 * <p>The book evaluates when {@code global_step % eval_freq == 0} with {@code global_step} counted from 0 after
 * the first update; so does this loop (after steps 1, 1 + evalEvery, ...), so its lines line up with the book's.
 */
public final class Trainer {
    /**
     * @param totalSteps      optimiser steps of the whole run (a resumed run continues to the same total)
     * @param accumulate      micro-batches per optimiser step (1: none)
     * @param clipNorm        largest global gradient norm, or 0 for no clipping
     * @param evalEvery       steps between evaluations, 0 for none
     * @param evalBatches     batches of each loader an evaluation averages over (the book's {@code eval_iter}), 0 for all
     * @param sampleEvery     steps between samples, 0 for none
     * @param checkpointEvery steps between checkpoints, 0 for only at the end (when {@code checkpoint} is set)
     * @param checkpoint      the checkpoint file, or null for none
     */
    public record Options(long totalSteps, int accumulate, double clipNorm, int evalEvery, int evalBatches, int sampleEvery,
                          int checkpointEvery, Path checkpoint) {
        public Options {
            if (totalSteps < 1) throw new IllegalArgumentException("training needs at least one step, got " + totalSteps);
            if (accumulate < 1) throw new IllegalArgumentException("accumulate must be at least 1, got " + accumulate);
            if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
            if (evalEvery < 0 || evalBatches < 0 || sampleEvery < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("evalEvery, evalBatches, sampleEvery and checkpointEvery must be >= 0");
            }
        }
    }

    /** What one optimiser step did. */
    public record StepReport(long step, long totalSteps, double loss, double learningRate, double gradNorm, long tokensSeen, long tokensInStep, double seconds) {}

    /** Mean train and validation loss at a step (NaN when there is no validation data). */
    public record Evaluation(long step, long tokensSeen, double trainLoss, double valLoss) {}

    /** Receives the loop's events, to print or plot them; every method does nothing by default. */
    public interface Listener {
        default void onStep(StepReport report) {}

        default void onEvaluation(Evaluation evaluation) {}

        default void onSample(long step, String text) {}

        default void onCheckpoint(Path file, long step) {}
    }

    private final GPTModel model;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final BatchStream data;
    private final Iterable<Batch> trainEval, valEval;
    private final Options options;
    private Listener listener = new Listener() {};
    private Function<GPTModel, String> sampler;
    private final Map<String, String> extraMetadata = new LinkedHashMap<>();

    private long step;
    private long tokensSeen;
    private final List<Evaluation> history = new ArrayList<>();

    /**
     * @param trainEval batches to evaluate the training loss on (in a fixed order), or null
     * @param valEval   batches to evaluate the validation loss on, or null
     */
    public Trainer(GPTModel model, Optimizer optimizer, LearningRateSchedule schedule, BatchStream data,
                   Iterable<Batch> trainEval, Iterable<Batch> valEval, Options options) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.data = data;
        this.trainEval = trainEval;
        this.valEval = valEval;
        this.options = options;
    }

    public Trainer listener(Listener l) {
        this.listener = l;
        return this;
    }

    /** Generates the text shown every {@code sampleEvery} steps (called in evaluation mode, without gradients). */
    public Trainer sampler(Function<GPTModel, String> s) {
        this.sampler = s;
        return this;
    }

    /** Strings saved with every checkpoint (the tokenizer, say), so that a later command can rebuild the setting. */
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
            boolean lastOfRun = step == options.totalSteps();
            if (options.evalEvery() > 0 && (step - 1) % options.evalEvery() == 0) evaluate();
            if (sampler != null && options.sampleEvery() > 0 && (step % options.sampleEvery() == 0 || lastOfRun)) sample();
            if (options.checkpoint() != null && ((options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) || lastOfRun)) {
                saveCheckpoint();
            }
        }
    }

    /** One optimiser step over {@code accumulate} micro-batches; returns the mean micro-batch loss. */
    public double step() {
        long started = System.nanoTime();
        double lr = schedule.at(step);
        optimizer.setLearningRate(lr);
        optimizer.zeroGrad();
        double loss = 0;
        long tokensBefore = tokensSeen;
        for (int micro = 0; micro < options.accumulate(); micro++) {
            Batch batch = data.next();
            Tensor l = LanguageModelLoss.batchLoss(model, batch);
            if (options.accumulate() > 1) l = l.div(options.accumulate());
            float value = l.item();
            if (!Float.isFinite(value)) throw diverged("loss is " + value);
            l.backward();
            loss += value;
            tokensSeen += batch.inputs().numel();
        }
        double norm = options.clipNorm() > 0
                ? GradientClipping.clipGlobalNorm(optimizer.parameters().values(), options.clipNorm())
                : GradientClipping.globalNorm(optimizer.parameters().values());
        if (!Double.isFinite(norm)) throw diverged("gradient norm is " + norm);
        optimizer.step();
        step++;
        listener.onStep(new StepReport(step, options.totalSteps(), loss, lr, norm, tokensSeen, tokensSeen - tokensBefore, (System.nanoTime() - started) / 1e9));
        return loss;
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
            double train = trainEval == null ? Double.NaN : LanguageModelLoss.meanLoss(model, trainEval, options.evalBatches());
            double val = valEval == null ? Double.NaN : LanguageModelLoss.meanLoss(model, valEval, options.evalBatches());
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
            listener.onSample(step, sampler.apply(model));
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

    public GPTModel model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public BatchStream data() {
        return data;
    }

    public Options options() {
        return options;
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
