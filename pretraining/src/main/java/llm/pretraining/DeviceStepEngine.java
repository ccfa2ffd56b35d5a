package llm.pretraining;

import java.util.function.UnaryOperator;

import llm.data.Batch;
import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.training.StepEngine;

/**
 * The {@link StepEngine} of {@code --device gpu}: each step's batch goes to a {@link DeviceTrainer} (the parameters,
 * gradients and AdamW's moments stay on the device), and before the trainer evaluates, samples or saves a checkpoint
 * the device's parameters and moments are copied into the CPU model and optimiser, so those run unchanged and a
 * checkpoint resumes on either engine. What a step does with its batch is a {@link DeviceStep}: the language model's
 * loss ({@link #languageModel}) for pretraining, instruction and classification fine-tuning, DPO's for preference pairs.
 *
 * @param <B> the batch type
 */
public final class DeviceStepEngine<B> implements StepEngine<B> {
    /** One optimiser step on the device for a batch: the loss and the gradient norm before clipping. */
    @FunctionalInterface
    public interface DeviceStep<B> {
        Outcome take(DeviceTrainer device, B batch, double lr, double clipNorm);
    }

    private final DeviceTrainer device;
    private final GPTModel model;
    private final Optimizer optimizer;
    private final DeviceStep<B> step;

    /** Continues from {@code optimizer}'s state (its moments and step count: zero for a new run); each step is {@code step}. */
    public DeviceStepEngine(DeviceTrainer device, GPTModel model, Optimizer optimizer, DeviceStep<B> step) {
        this.device = device;
        this.model = model;
        this.optimizer = optimizer;
        this.step = step;
        device.resumeFrom(optimizer.steps(), optimizer.state());
    }

    /**
     * The language model's mean loss over batches of {@code context} tokens a row. Shorter ones (instruction
     * fine-tuning pads each batch to its longest sequence) are padded at the end with targets of -100, which change no
     * loss or gradient: later positions never reach earlier ones through causal attention, and ignored targets do not
     * count.
     */
    public static DeviceStepEngine<Batch> languageModel(DeviceTrainer device, GPTModel model, Optimizer optimizer, int context) {
        return languageModel(device, model, optimizer, context, UnaryOperator.identity());
    }

    /**
     * The same for batches whose targets are not one per token: {@code tokenTargets} turns a batch into one with a
     * target {@code (B, T)} per token, -100 where nothing is learnt, that gives the same mean loss (a classifier's
     * labels become the last token's targets, Book §6.6).
     */
    public static DeviceStepEngine<Batch> languageModel(DeviceTrainer device, GPTModel model, Optimizer optimizer, int context,
                                                        UnaryOperator<Batch> tokenTargets) {
        return new DeviceStepEngine<>(device, model, optimizer, (d, batch, lr, clipNorm) -> {
            Batch perToken = tokenTargets.apply(batch);
            int[][] xy = padded(model, perToken.inputs().toArray(), perToken.targets().toArray(), perToken.inputs().dim(0), perToken.inputs().dim(1), context);
            DeviceTrainer.Step s = d.step(xy[0], xy[1], lr, clipNorm);
            return new Outcome(s.loss(), s.gradNorm());
        });
    }

    /**
     * Rows of {@code t} token ids and their targets, each padded at the end to {@code context} (ids 0, targets -100),
     * as the device takes them. Refused with dropout: the padding would shift every later mask, so the device would
     * not drop what the CPU drops.
     */
    public static int[][] padded(GPTModel model, int[] inputs, int[] targets, int rows, int t, int context) {
        if (t > context) throw new IllegalArgumentException("a batch of " + t + " tokens per row does not fit the device step's " + context);
        if (t == context) return new int[][] {inputs, targets};
        if (model.config().dropRate() > 0f) {
            throw new IllegalStateException("the device step pads a batch of " + t + " tokens per row to " + context + ", which dropout does not allow");
        }
        int[] px = new int[rows * context], py = new int[rows * context];
        java.util.Arrays.fill(py, DeviceTrainer.IGNORE_INDEX);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(inputs, r * t, px, r * context, t);
            System.arraycopy(targets, r * t, py, r * context, t);
        }
        return new int[][] {px, py};
    }

    @Override
    public Outcome step(B batch, double lr, double clipNorm) {
        return step.take(device, batch, lr, clipNorm);
    }

    @Override
    public void sync() {
        device.copyTo(model, optimizer.state());
        optimizer.loadState(optimizer.state(), device.steps());     // the moments are in place; this sets the step count
    }
}
