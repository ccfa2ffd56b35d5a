package llm.rlhf;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.preference.PreferenceBatch;
import llm.tensor.IntNDArray;

/**
 * The reward model's loss (Book §8.4): the Bradley-Terry model says the chosen response wins with probability
 * {@code σ(r_chosen - r_rejected)}, so the loss is {@code -log σ(r_c - r_r)}, averaged over the pairs. Optional
 * centring (TRL's {@code center_rewards_coefficient}) adds {@code coef · mean((r_c + r_r)²)}, which keeps the rewards
 * near zero without changing which response wins. Logged beside it: pairwise accuracy (how often {@code r_c > r_r})
 * and the mean margin {@code r_c - r_r}.
 */
public final class RewardLoss {
    private RewardLoss() {}

    /** The loss of a batch, and its accuracy and margin. */
    public record Result(Tensor loss, double accuracy, double margin) {}

    /** Loss, accuracy and margin averaged over batches. */
    public record Stats(double loss, double accuracy, double margin) {}

    /** From the rewards {@code (B)} of the chosen and rejected responses. */
    public static Result computeRewardLoss(Tensor chosen, Tensor rejected, double centerCoef) {
        Tensor diff = chosen.sub(rejected);
        // -log σ(d) = softplus(-d) = max(-d, 0) + log(1 + exp(-|d|)): no overflow for any margin
        Tensor negative = diff.neg();
        Tensor abs = diff.maximum(negative);
        Tensor losses = negative.maximum(Tensor.constant(llm.tensor.NDArray.scalar(0f))).add(abs.neg().exp().add(1f).log());
        Tensor loss = losses.mean();
        if (centerCoef > 0) loss = loss.add(chosen.add(rejected).pow(2).mean().mul((float) centerCoef));
        float[] d = diff.data().toArray();
        double correct = 0, margin = 0;
        for (float v : d) {
            if (v > 0) correct++;
            margin += v;
        }
        return new Result(loss, correct / d.length, margin / d.length);
    }

    /** A batch's pairs as one batch of {@code 2B} rows of ids, chosen then rejected, and each row's last response position. */
    record PairRows(int[] ids, int[] last) {
        static PairRows of(PreferenceBatch batch) {
            int b = batch.chosen().dim(0), t = batch.chosen().dim(1);
            int[] ids = new int[2 * b * t];
            System.arraycopy(batch.chosen().toArray(), 0, ids, 0, b * t);
            System.arraycopy(batch.rejected().toArray(), 0, ids, b * t, b * t);
            int[] last = new int[2 * b];
            System.arraycopy(RewardModel.lastTokenIndices(batch.chosenMask()), 0, last, 0, b);
            System.arraycopy(RewardModel.lastTokenIndices(batch.rejectedMask()), 0, last, b, b);
            return new PairRows(ids, last);
        }
    }

    /** Scores chosen and rejected sequences in one pass of {@code 2B} rows (the dataset pads both to one length). */
    public static Result computeRewardLossBatch(PreferenceBatch batch, RewardModel model, double centerCoef) {
        int b = batch.chosen().dim(0), t = batch.chosen().dim(1);
        PairRows rows = PairRows.of(batch);
        Tensor rewards = model.rewards(IntNDArray.of(rows.ids(), 2 * b, t), rows.last());       // (2B): chosen, then rejected
        return computeRewardLoss(rewards.narrow(0, 0, b), rewards.narrow(0, b, b), centerCoef);
    }

    /** Means over the first {@code numBatches} batches (all when {@code <= 0}), in evaluation mode, without gradients. */
    public static Stats computeRewardLossLoader(Iterable<PreferenceBatch> loader, RewardModel model, double centerCoef, int numBatches) {
        boolean wasTraining = model.model().isTraining();
        model.model().eval();
        double loss = 0, accuracy = 0, margin = 0;
        int n = 0;
        try (var off = Grad.off()) {
            for (PreferenceBatch batch : loader) {
                if (numBatches > 0 && n >= numBatches) break;
                Result r = computeRewardLossBatch(batch, model, centerCoef);
                loss += r.loss().item();
                accuracy += r.accuracy();
                margin += r.margin();
                n++;
            }
        } finally {
            if (wasTraining) model.model().train();
        }
        return n == 0 ? new Stats(Double.NaN, Double.NaN, Double.NaN) : new Stats(loss / n, accuracy / n, margin / n);
    }
}
