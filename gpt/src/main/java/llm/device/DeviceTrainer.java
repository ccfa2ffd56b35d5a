package llm.device;

import java.util.Map;

import llm.gpt.GPTModel;
import llm.tensor.NDArray;

/**
 * A GPT training step that keeps parameters, gradients, AdamW's moments and activations on a device (Book §5.2
 * and Appendix D's loop, llm.c's layout): only token ids go in, the loss and gradient norm come out.
 */
public interface DeviceTrainer extends AutoCloseable {
    /**
     * One AdamW step on {@code inputs} predicting {@code targets} (each {@code batch · context} ids) at learning rate
     * {@code lr}, the global gradient norm clipped to {@code clipNorm} (0: not clipped).
     */
    Step step(int[] inputs, int[] targets, double lr, double clipNorm);

    /** The mean loss of {@code inputs} predicting {@code targets} without training (the forward pass alone). */
    double loss(int[] inputs, int[] targets);

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
