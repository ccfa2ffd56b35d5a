package llm.classification;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.data.Batch;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.training.BatchLoss;

/**
 * The losses and accuracy of Book §6.6: a classifier reads the logits of the last token only (the one that has
 * attended to every other token), {@code logits[:, -1, :]}; the loss is their cross-entropy against the labels
 * ({@code calc_loss_batch}), averaged over a loader ({@code calc_loss_loader}); the accuracy counts how often the
 * largest logit is the label ({@code calc_accuracy_loader}).
 */
public final class ClassifierLoss {
    private ClassifierLoss() {}

    /** The last position's logits {@code (B, classes)} of inputs {@code (B, T)}. */
    public static Tensor lastTokenLogits(GPTModel model, Batch batch) {
        Tensor logits = model.forward(batch.inputs());                    // (B, T, classes)
        int t = logits.dim(1);
        return logits.narrow(1, t - 1, 1).squeeze(1);                     // (B, classes)
    }

    /** {@code calc_loss_batch}: cross-entropy of the last token's logits against the labels {@code (B)}. */
    public static Tensor calcLossBatch(GPTModel model, Batch batch) {
        return CrossEntropy.apply(lastTokenLogits(model, batch), batch.targets());
    }

    /**
     * The batch with its labels {@code (B)} as per-token targets {@code (B, T)}: each row's label at its last position,
     * -100 (ignored) everywhere else. A language model's loss over it, the mean cross-entropy of the targets that
     * count, is {@link #calcLossBatch}'s; a device step, which learns from per-token targets, takes this form.
     */
    public static Batch tokenTargets(Batch batch) {
        if (batch.targets().rank() != 1) throw new IllegalArgumentException("a classifier batch has one label per row, got targets of shape " + java.util.Arrays.toString(batch.targets().shape()));
        int b = batch.inputs().dim(0), t = batch.inputs().dim(1);
        int[] labels = batch.targets().toArray(), targets = new int[b * t];
        java.util.Arrays.fill(targets, CrossEntropy.IGNORE_INDEX);
        for (int r = 0; r < b; r++) targets[r * t + t - 1] = labels[r];
        return new Batch(batch.inputs(), IntNDArray.of(targets, b, t));
    }

    /** {@link #calcLossBatch} as the loss a {@link llm.training.Trainer} minimises. */
    public static BatchLoss<Batch> of(GPTModel model) {
        return batch -> calcLossBatch(model, batch);
    }

    /** {@code calc_loss_loader}: the mean loss over the first {@code numBatches} batches (all when {@code <= 0}). */
    public static double calcLossLoader(GPTModel model, Iterable<Batch> loader, int numBatches) {
        return BatchLoss.meanLoss(of(model), loader, numBatches);
    }

    /** {@code calc_accuracy_loader}: the share of correct predictions over the first {@code numBatches} batches (all when {@code <= 0}). */
    public static double calcAccuracyLoader(GPTModel model, Iterable<Batch> loader, int numBatches) {
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0, total = 0;
        int seen = 0;
        try (var off = Grad.off()) {
            for (Batch batch : loader) {
                if (numBatches > 0 && seen++ >= numBatches) break;
                NDArray logits = lastTokenLogits(model, batch).data();
                int[] predicted = logits.argmax(1).storage(), labels = batch.targets().storage();
                for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) correct++;
                total += labels.length;
            }
        } finally {
            if (wasTraining) model.train();
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
