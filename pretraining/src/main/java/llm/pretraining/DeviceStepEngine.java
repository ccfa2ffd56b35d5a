package llm.pretraining;

import java.util.function.UnaryOperator;

import llm.autograd.fused.CrossEntropy;
import llm.data.Batch;
import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.training.StepEngine;

/**
 * The {@link StepEngine} of {@code ./llm train --device gpu}: each step's batch goes to a {@link DeviceTrainer} (the
 * parameters, gradients and AdamW's moments stay on the device), and before the trainer evaluates, samples or saves a
 * checkpoint the device's parameters and moments are copied into the CPU model and optimiser, so those run unchanged
 * and a checkpoint resumes on either engine.
 */
public final class DeviceStepEngine implements StepEngine<Batch> {
    private final DeviceTrainer device;
    private final GPTModel model;
    private final Optimizer optimizer;
    private final int context;
    private final UnaryOperator<Batch> tokenTargets;

    /**
     * Continues from {@code optimizer}'s state (its moments and step count: zero for a new run). The device takes
     * batches of {@code context} tokens; shorter ones (instruction fine-tuning pads each batch to its longest
     * sequence) are padded at the end with targets of -100, which change no loss or gradient: later positions never
     * reach earlier ones through causal attention, and ignored targets do not count.
     */
    public DeviceStepEngine(DeviceTrainer device, GPTModel model, Optimizer optimizer, int context) {
        this(device, model, optimizer, context, UnaryOperator.identity());
    }

    /**
     * The same for batches whose targets are not one per token: {@code tokenTargets} turns a batch into one with a
     * target {@code (B, T)} per token, -100 where nothing is learnt, that gives the same mean loss (a classifier's
     * labels become the last token's targets, Book §6.6).
     */
    public DeviceStepEngine(DeviceTrainer device, GPTModel model, Optimizer optimizer, int context, UnaryOperator<Batch> tokenTargets) {
        this.device = device;
        this.model = model;
        this.optimizer = optimizer;
        this.context = context;
        this.tokenTargets = tokenTargets;
        device.resumeFrom(optimizer.steps(), optimizer.state());
    }

    @Override
    public Outcome step(Batch batch, double lr, double clipNorm) {
        batch = tokenTargets.apply(batch);
        int b = batch.inputs().dim(0), t = batch.inputs().dim(1);
        if (t > context) throw new IllegalArgumentException("a batch of " + t + " tokens per row does not fit the device step's " + context);
        if (t < context && model.config().dropRate() > 0f) {
            // padded rows would shift every later mask: the device would not drop what the CPU drops
            throw new IllegalStateException("the device step pads a batch of " + t + " tokens per row to " + context + ", which dropout does not allow");
        }
        int[] x = batch.inputs().toArray(), y = batch.targets().toArray();
        if (t < context) {
            int[] px = new int[b * context], py = new int[b * context];
            java.util.Arrays.fill(py, CrossEntropy.IGNORE_INDEX);
            for (int r = 0; r < b; r++) {
                System.arraycopy(x, r * t, px, r * context, t);
                System.arraycopy(y, r * t, py, r * context, t);
            }
            x = px;
            y = py;
        }
        DeviceTrainer.Step s = device.step(x, y, lr, clipNorm);
        return new Outcome(s.loss(), s.gradNorm());
    }

    @Override
    public void sync() {
        device.copyTo(model, optimizer.state());
        optimizer.loadState(optimizer.state(), device.steps());     // the moments are in place; this sets the step count
    }
}
