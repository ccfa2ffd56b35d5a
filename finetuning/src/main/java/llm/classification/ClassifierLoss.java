package llm.classification;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.data.Batch;
import llm.gpt.GPTModel;
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
