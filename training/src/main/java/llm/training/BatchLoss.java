package llm.training;

import java.util.Iterator;

import llm.autograd.Grad;
import llm.autograd.Tensor;

/**
 * What a training run minimises: one batch to one scalar loss {@link Tensor} that records its graph (Book §5.1,
 * {@code calc_loss_batch}). Pretraining's is next-token cross-entropy over a GPT's logits; a classifier's is
 * cross-entropy of the last token's logits; a reward model's a pairwise loss. {@link Trainer} needs nothing else
 * to know about the model.
 *
 * {@snippet :
 * BatchLoss<Batch> loss = batch -> CrossEntropy.apply(model.forward(batch.inputs()).flatten(0, 1), batch.targets().view(-1));
 * }
 *
 * @param <B> the batch type
 */
@FunctionalInterface
public interface BatchLoss<B> {
    /** The batch's loss; records a graph for {@code backward()} when gradients are on. */
    Tensor loss(B batch);

    /**
     * The book's {@code calc_loss_loader}: the mean loss over the first {@code maxBatches} batches (all of them
     * when {@code maxBatches <= 0} or larger than the loader), without gradients. NaN for an empty loader, as in
     * the book.
     */
    static <B> double meanLoss(BatchLoss<B> loss, Iterable<B> batches, int maxBatches) {
        double total = 0;
        int count = 0;
        try (var off = Grad.off()) {
            Iterator<B> it = batches.iterator();
            while (it.hasNext() && (maxBatches <= 0 || count < maxBatches)) {
                total += loss.loss(it.next()).item();
                count++;
            }
        }
        return count == 0 ? Double.NaN : total / count;
    }
}
