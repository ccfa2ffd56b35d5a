package llm.rlhf;

import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.preference.PreferenceBatch;
import llm.pretraining.DeviceStepEngine;
import llm.training.StepEngine;

/**
 * A reward model's step on a device ({@code ./llm reward-model --device gpu}; Book §8.4): {@link RewardLoss}'s
 * Bradley-Terry loss from the scores a {@link DeviceTrainer} computes.
 *
 * <p>The chosen and the rejected sequences of a batch of B pairs go through the device as one batch of 2B rows, as
 * {@link RewardLoss#computeRewardLossBatch} scores them in one pass. The device returns the head's one output at every
 * position ({@link DeviceTrainer#headOutputs}); each row's reward is the one at its last response token. The host
 * computes {@code loss = mean softplus(-(r_c - r_r))} (plus {@code coef · mean((r_c + r_r)²)} with centring) and its
 * derivative by each reward, {@code dL/dr_c = -σ(r_r - r_c) / B}, {@code dL/dr_r = +σ(r_r - r_c) / B} (plus {@code 2
 * coef (r_c + r_r) / B} each), 0 at every other position, and the device runs the backward pass from them, clipping
 * and AdamW. Rows shorter than the device's context are padded, so the run must be without dropout.
 */
public final class RewardDeviceStep implements DeviceStepEngine.DeviceStep<PreferenceBatch> {
    private final GPTModel model;
    private final int context;
    private final double centerCoef;

    /** For batches of up to {@code context} tokens a row, with TRL's centring coefficient {@code centerCoef} (0: none). */
    public RewardDeviceStep(GPTModel model, int context, double centerCoef) {
        this.model = model;
        this.context = context;
        this.centerCoef = centerCoef;
    }

    @Override
    public StepEngine.Outcome take(DeviceTrainer device, PreferenceBatch batch, double lr, double clipNorm) {
        int b = batch.chosen().dim(0), t = batch.chosen().dim(1);
        RewardLoss.PairRows rows = RewardLoss.PairRows.of(batch);                 // as the CPU's loss scores them
        int[] last = rows.last();
        int[] x = DeviceStepEngine.padded(model, rows.ids(), new int[2 * b * t], 2 * b, t, context)[0];   // (no targets: the scores are read)
        float[] scores = device.headOutputs(x);
        float[] gradients = new float[scores.length];
        double loss = 0;
        for (int r = 0; r < b; r++) {
            int chosenAt = r * context + last[r], rejectedAt = (b + r) * context + last[b + r];
            double chosen = scores[chosenAt], rejected = scores[rejectedAt], d = chosen - rejected;
            loss += (Math.max(-d, 0) + Math.log1p(Math.exp(-Math.abs(d)))) / b;          // softplus(-d), stable for any d
            double push = 1 / (1 + Math.exp(d)) / b;                                   // σ(-d) / B
            double centre = 0;
            if (centerCoef > 0) {
                loss += centerCoef * (chosen + rejected) * (chosen + rejected) / b;
                centre = 2 * centerCoef * (chosen + rejected) / b;
            }
            gradients[chosenAt] = (float) (-push + centre);
            gradients[rejectedAt] = (float) (push + centre);
        }
        double norm = device.updateFromOutputs(gradients, lr, clipNorm);
        return new StepEngine.Outcome(loss, norm);
    }
}
