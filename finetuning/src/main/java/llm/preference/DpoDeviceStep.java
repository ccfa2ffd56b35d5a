package llm.preference;

import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.pretraining.DeviceStepEngine;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.training.StepEngine;

/**
 * A DPO step on a device ({@code ./llm dpo --device gpu}; the book's DPO notebook): the loss of {@link DpoLoss}, from
 * the per-token losses a {@link DeviceTrainer} computes.
 *
 * <p>The chosen and the rejected responses of a batch of B pairs go through the device as one batch of 2B rows, each
 * position's target the next token where the response mask counts it and -100 elsewhere. The frozen reference's
 * {@code -log p} come from its own device trainer, without dropout; the policy's from the step's forward pass. Each
 * row's mean log-probability is minus the mean of its counted losses, and from those four per pair the host computes
 * {@code loss = mean softplus(-β z)}, {@code z = (π_c - π_r) - (ref_c - ref_r)}, and how much each position's loss
 * moves it: {@code dL/dz = -β σ(-β z) / B}, times {@code -1/n_c} for a chosen response's {@code n_c} positions and
 * {@code +1/n_r} for a rejected one's. The device then runs the backward pass from those weights, clipping and AdamW.
 * Rows shorter than the device's context are padded with ignored targets, so the run must be without dropout.
 */
public final class DpoDeviceStep implements DeviceStepEngine.DeviceStep<PreferenceBatch> {
    private final DeviceTrainer reference;
    private final GPTModel policy;
    private final int context;
    private final double beta;

    /** {@code reference}: a device trainer of the frozen reference model, for batches of 2B rows of {@code context} tokens. */
    public DpoDeviceStep(DeviceTrainer reference, GPTModel policy, int context, double beta) {
        this.reference = reference;
        this.policy = policy;
        this.context = context;
        this.beta = beta;
    }

    @Override
    public StepEngine.Outcome take(DeviceTrainer device, PreferenceBatch batch, double lr, double clipNorm) {
        int b = batch.chosen().dim(0), t = batch.chosen().dim(1);
        int[] ids = new int[2 * b * t], targets = new int[2 * b * t], counted = new int[2 * b];
        responseTargets(batch.chosen(), batch.chosenMask(), 0, ids, targets, counted);
        responseTargets(batch.rejected(), batch.rejectedMask(), b, ids, targets, counted);
        int[][] xy = DeviceStepEngine.padded(policy, ids, targets, 2 * b, t, context);
        double[] ref = meanLogProbs(reference.evalTokenLosses(xy[0], xy[1]), counted);
        double[] pol = meanLogProbs(device.tokenLosses(xy[0], xy[1]), counted);
        float[] weights = new float[2 * b * context];
        double loss = 0;
        for (int r = 0; r < b; r++) {
            double z = (pol[r] - pol[b + r]) - (ref[r] - ref[b + r]);
            double x = beta * z;
            loss += (Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)))) / b;   // softplus(-βz), stable for any z
            double dz = -beta / (1 + Math.exp(beta * z)) / b;          // d softplus(-βz)/dz = -β σ(-βz)
            fill(weights, r, (float) (-dz / counted[r]));               // π_c = -mean of its losses
            fill(weights, b + r, (float) (dz / counted[b + r]));        // π_r enters z with a minus
        }
        double norm = device.update(weights, lr, clipNorm);
        return new StepEngine.Outcome(loss, norm);
    }

    /**
     * Row {@code row0 + r} of {@code ids}/{@code targets}: the sequence, and as each position's target the next token
     * where the mask counts it (the book's {@code compute_logprobs}: position i predicts i + 1), -100 elsewhere.
     */
    private static void responseTargets(IntNDArray seqs, NDArray mask, int row0, int[] ids, int[] targets, int[] counted) {
        int b = seqs.dim(0), t = seqs.dim(1);
        int[] s = seqs.toArray();
        float[] m = mask.contiguous().toArray();
        for (int r = 0; r < b; r++) {
            int at = (row0 + r) * t;
            System.arraycopy(s, r * t, ids, at, t);
            for (int i = 0; i < t; i++) {
                boolean counts = i + 1 < t && m[r * t + i + 1] != 0f;
                targets[at + i] = counts ? s[r * t + i + 1] : DeviceTrainer.IGNORE_INDEX;
                if (counts) counted[row0 + r]++;
            }
        }
    }

    /** Each row's mean log-probability over its counted positions: minus the mean of their losses (an ignored one's is 0). */
    private double[] meanLogProbs(float[] losses, int[] counted) {
        double[] out = new double[counted.length];
        for (int row = 0; row < counted.length; row++) {
            double sum = 0;
            for (int i = 0; i < context; i++) sum += losses[row * context + i];
            out[row] = -sum / counted[row];
        }
        return out;
    }

    /** Every position of row {@code row} gets {@code w}: the device zeroes an ignored position's gradient itself. */
    private void fill(float[] weights, int row, float w) {
        java.util.Arrays.fill(weights, row * context, (row + 1) * context, w);
    }
}
