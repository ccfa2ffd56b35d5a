package llm.preference;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;

/**
 * Direct preference optimisation (Rafailov et al., 2023; the book's DPO notebook): the policy is pushed to give the
 * chosen response a higher log-probability than the rejected one, by more than a frozen reference model does:
 * {@code loss = -log σ(β ((π_c - π_r) - (ref_c - ref_r)))}, where each log-probability is the <b>mean</b> over the
 * response's tokens. The logged rewards are {@code π - ref} (without β), and their margin chosen minus rejected.
 */
public final class DpoLoss {
    private DpoLoss() {}

    /** The loss and the mean rewards of a batch. */
    public record Result(Tensor loss, double chosenReward, double rejectedReward) {
        public double margin() {
            return chosenReward - rejectedReward;
        }
    }

    /**
     * The book's {@code compute_logprobs}: the mean log-probability {@code (B)} the model gives to {@code ids (B, T)}'s
     * tokens where {@code mask} is 1 (each token predicted from the ones before it).
     */
    public static Tensor computeLogprobs(GPTModel model, IntNDArray ids, NDArray mask) {
        int b = ids.dim(0), t = ids.dim(1);
        Tensor logits = model.forward(ids).narrow(1, 0, t - 1);                       // (B, T-1, V): position i predicts i+1
        int[] labels = new int[b * (t - 1)];
        float[] m = new float[b * (t - 1)];
        float[] maskValues = mask.contiguous().toArray();
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t - 1; i++) {
                labels[r * (t - 1) + i] = ids.storage()[r * t + i + 1];
                m[r * (t - 1) + i] = maskValues[r * t + i + 1];
            }
        }
        Tensor selected = logits.logSoftmax(2).gather(2, IntNDArray.of(labels, b, t - 1, 1)).reshape(b, t - 1);  // (B, T-1)
        NDArray selection = NDArray.of(m, b, t - 1);
        Tensor summed = selected.mul(Tensor.constant(selection)).sum(1, false);               // (B)
        return summed.div(Tensor.constant(selection.sum(1, false)));
    }

    /** The book's {@code compute_dpo_loss} from the four log-probabilities {@code (B)}; the mean over the batch. */
    public static Result computeDpoLoss(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta) {
        Tensor logits = policyChosen.sub(policyRejected).sub(referenceChosen.sub(referenceRejected));
        Tensor scaled = logits.mul((float) beta);
        // -log σ(x) = log(1 + exp(-x)); with β = 0.1 and mean log-probabilities |x| stays far from exp's overflow at 88
        Tensor losses = scaled.neg().exp().add(1f).log();
        double chosen = policyChosen.data().sub(referenceChosen.data()).mean().item(), rejected = policyRejected.data().sub(referenceRejected.data()).mean().item();
        return new Result(losses.mean(), chosen, rejected);
    }

    /** The book's {@code compute_dpo_loss_batch}: the policy with gradients, the reference without. */
    public static Result computeDpoLossBatch(PreferenceBatch batch, GPTModel policy, GPTModel reference, double beta) {
        Tensor refChosen, refRejected;
        try (var off = Grad.off()) {
            refChosen = computeLogprobs(reference, batch.chosen(), batch.chosenMask());
            refRejected = computeLogprobs(reference, batch.rejected(), batch.rejectedMask());
        }
        return computeDpoLoss(computeLogprobs(policy, batch.chosen(), batch.chosenMask()),
                computeLogprobs(policy, batch.rejected(), batch.rejectedMask()), refChosen, refRejected, beta);
    }

    /** Mean loss, chosen reward and rejected reward over the first {@code numBatches} batches (all when {@code <= 0}), without gradients. */
    public static double[] computeDpoLossLoader(Iterable<PreferenceBatch> loader, GPTModel policy, GPTModel reference, double beta, int numBatches) {
        double loss = 0, chosen = 0, rejected = 0;
        int n = 0;
        try (var off = Grad.off()) {
            for (PreferenceBatch batch : loader) {
                if (numBatches > 0 && n >= numBatches) break;
                Result r = computeDpoLossBatch(batch, policy, reference, beta);
                loss += r.loss().item();
                chosen += r.chosenReward();
                rejected += r.rejectedReward();
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN} : new double[] {loss / n, chosen / n, rejected / n};
    }
}
