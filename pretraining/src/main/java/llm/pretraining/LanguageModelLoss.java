package llm.pretraining;

import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.data.Batch;
import llm.gpt.GPTModel;
import llm.training.BatchLoss;

/**
 * The losses of Book §5.1.2-5.1.3: cross-entropy of next-token prediction over the flattened logits
 * ({@code calc_loss_batch}), its mean over the batches of a loader ({@code calc_loss_loader}), and
 * perplexity, {@code exp(loss)}: the number of tokens the model is, in effect, unsure between.
 *
 * <p>Targets equal to {@link CrossEntropy#IGNORE_INDEX} (-100) do not count, as in PyTorch; instruction
 * fine-tuning uses that to mask padding.
 */
public final class LanguageModelLoss {
    private LanguageModelLoss() {}

    /**
     * {@code calc_loss_batch}: logits {@code (B, T, V)} flattened to {@code (B·T, V)} against targets {@code
     * (B, T)} flattened to {@code (B·T)}; the result records a graph for {@code backward()} when gradients are on.
     */
    public static Tensor calcLossBatch(GPTModel model, Batch batch) {
        Tensor logits = model.forward(batch.inputs());
        return CrossEntropy.apply(logits.flatten(0, 1), batch.targets().view(-1));
    }

    /** {@link #calcLossBatch} as the loss a {@link llm.training.Trainer} minimises. */
    public static BatchLoss<Batch> of(GPTModel model) {
        return batch -> calcLossBatch(model, batch);
    }

    /**
     * {@code calc_loss_loader}: the mean batch loss over the first {@code numBatches} batches (all of them when
     * {@code numBatches <= 0} or larger than the loader), without gradients. NaN for an empty loader, as in the
     * book.
     */
    public static double calcLossLoader(GPTModel model, Iterable<Batch> batches, int numBatches) {
        return BatchLoss.meanLoss(of(model), batches, numBatches);
    }

    /** Perplexity of a mean cross-entropy loss: {@code exp(loss)}. */
    public static double perplexity(double loss) {
        return Math.exp(loss);
    }
}
