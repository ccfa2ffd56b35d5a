package llm.device;

import java.util.Map;

import llm.gpt.GPTModel;
import llm.tensor.NDArray;

/**
 * A GPT training step that keeps parameters, gradients, AdamW's moments and activations on a device (Book §5.2
 * and Appendix D's loop, llm.c's layout): only token ids go in, the loss and gradient norm come out.
 */
public interface DeviceTrainer extends AutoCloseable {
    /** A target that does not count (padding, Book §7.3), as PyTorch's {@code ignore_index}. */
    int IGNORE_INDEX = -100;

    /**
     * The forward pass of a step on {@code inputs} predicting {@code targets} (each {@code batch · context} ids), with
     * dropout drawn as the CPU's step draws it: each position's {@code -log p(target)}, 0 where the target is -100.
     * {@link #update} completes the step.
     */
    float[] tokenLosses(int[] inputs, int[] targets);

    /**
     * Completes the step {@link #tokenLosses} began, for a loss whose derivative by position {@code i}'s {@code -log
     * p} is {@code weights[i]}: the backward pass, the global gradient norm clipped to {@code clipNorm} (0: not
     * clipped), one AdamW step at learning rate {@code lr}. Returns the gradient norm before clipping. A language
     * model's mean loss weighs every counted position {@code 1 / counted}; DPO weighs each sequence's positions by
     * how its log-probability moves its loss.
     */
    double update(float[] weights, double lr, double clipNorm);

    /** Each position's {@code -log p(target)} with the current parameters, without dropout or training (a reference model's). */
    float[] evalTokenLosses(int[] inputs, int[] targets);

    /**
     * For a model whose head has a few outputs (a reward model's one score, Book §8.4): the forward pass of a step on
     * {@code inputs} ({@code batch · context} ids), dropout drawn, returning the head's outputs at every position
     * ({@code batch · context · outputs}). {@link #updateFromOutputs} completes the step.
     */
    float[] headOutputs(int[] inputs);

    /**
     * Completes the step {@link #headOutputs} began from {@code gradients}, the loss's derivative by each of those
     * outputs (0 where the loss does not read one): the backward pass, clipping to {@code clipNorm} (0: none), one
     * AdamW step at {@code lr}. Returns the gradient norm before clipping.
     */
    double updateFromOutputs(float[] gradients, double lr, double clipNorm);

    /**
     * One AdamW step on the mean of {@code inputs}' losses predicting {@code targets} (each {@code batch · context}
     * ids) at learning rate {@code lr}, the global gradient norm clipped to {@code clipNorm} (0: not clipped): the
     * language model's loss of Book §5.2, averaged over the positions whose target is not -100.
     */
    default Step step(int[] inputs, int[] targets, double lr, double clipNorm) {
        float[] losses = tokenLosses(inputs, targets);
        int counted = counted(targets);
        float[] weights = new float[losses.length];
        java.util.Arrays.fill(weights, 1f / counted);
        double loss = mean(losses, counted);
        return new Step(loss, update(weights, lr, clipNorm));
    }

    /** The mean loss of {@code inputs} predicting {@code targets} without training (the forward pass alone). */
    default double loss(int[] inputs, int[] targets) {
        return mean(evalTokenLosses(inputs, targets), counted(targets));
    }

    /** Positions whose target is not -100. */
    private static int counted(int[] targets) {
        int counted = 0;
        for (int t : targets) if (t != IGNORE_INDEX) counted++;
        return counted;
    }

    /** The mean over the positions counted (an ignored position's loss is 0), as PyTorch's {@code cross_entropy} with {@code ignore_index}. */
    private static double mean(float[] losses, int counted) {
        double total = 0;
        for (float l : losses) total += l;
        return total / counted;
    }

    /**
     * Copies the device's parameters into {@code model}, and AdamW's moments into {@code adamState} (the arrays of
     * {@code AdamW.state()}: {@code exp_avg.NAME}, {@code exp_avg_sq.NAME}), for evaluation, samples and checkpoints on
     * the CPU.
     */
    void copyTo(GPTModel model, Map<String, NDArray> adamState);

    /** Continues a run: AdamW's moments from {@code adamState} and its step count; before the first step only. */
    void resumeFrom(long steps, Map<String, NDArray> adamState);

    /** AdamW steps taken, counting those before a resume. */
    long steps();

    /** The mean loss before the update and the global gradient norm before clipping. */
    record Step(double loss, double gradNorm) {}

    @Override
    void close();
}
