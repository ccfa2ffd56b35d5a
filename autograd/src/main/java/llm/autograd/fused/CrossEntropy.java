package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.CrossEntropyKernels;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.Shape;

/**
 * Cross-entropy of logits against target ids, {@code torch.nn.functional.cross_entropy} (Book §5.1.2): for
 * each row, {@code log Σ_j exp(x_j) - x_target}, averaged over the rows whose target is not {@code
 * ignoreIndex} (Book §7.3 pads targets with -100 so that padding does not count).
 *
 * <p>Fused ({@link CrossEntropyKernels}): the forward saves each row's softmax, and the backward is {@code
 * (softmax - onehot(target)) / n}, which never forms the log-softmax matrix. {@link #composed} builds the same loss from log-softmax, gather
 * and mean; the tests check one against the other.
 */
public final class CrossEntropy {
    /** PyTorch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    private CrossEntropy() {}

    /** Logits {@code (N, V)} (or {@code (..., V)}, flattened) and targets {@code (N)} (or {@code (...)}). */
    public static Tensor apply(Tensor logits, IntNDArray targets) {
        return apply(logits, targets, IGNORE_INDEX, Parallelism.DEFAULT);
    }

    public static Tensor apply(Tensor logits, IntNDArray targets, int ignoreIndex) {
        return apply(logits, targets, ignoreIndex, Parallelism.DEFAULT);
    }

    /** The loss with rows on the threads of {@code par}. */
    public static Tensor apply(Tensor logits, IntNDArray targets, int ignoreIndex, Parallelism par) {
        int v = logits.dim(-1);
        int n = logits.numel() / v;
        if (targets.numel() != n) {
            throw new IllegalArgumentException("crossEntropy: logits " + Shape.format(logits.shape()) + " have " + n
                    + " rows but targets " + Shape.format(targets.shape()) + " have " + targets.numel() + " ids");
        }
        NDArray x = logits.data().contiguous();
        int[] t = targets.storage();
        CrossEntropyKernels.checkTargets(t, n, v, ignoreIndex);
        float[] probs = new float[n * v];  // each row's softmax, saved for the backward pass
        CrossEntropyKernels.LossSum sum = CrossEntropyKernels.forward(x.storage(), x.offset(), t, ignoreIndex, probs, n, v, par);
        // The backward turns the saved softmax into the gradient in place: (softmax - onehot) / n. At GPT-2's
        // vocabulary and 4 x 256 tokens that array is 206 MB, so no second one is allocated; a graph can be
        // walked backward once, as in PyTorch without retain_graph.
        boolean[] used = {false};
        return Graph.record(NDArray.scalar(sum.mean()), "crossEntropy", List.of(logits), g -> {
            if (used[0]) throw new IllegalStateException("crossEntropy: backward through the same loss twice");
            used[0] = true;
            CrossEntropyKernels.backward(probs, t, ignoreIndex, g.item() / sum.count(), n, v, par);
            logits.accumulateFreshGrad(NDArray.of(probs, logits.shape()));
        });
    }

    /** The same loss from primitives: mean over kept rows of {@code -logSoftmax(x)[target]}. */
    public static Tensor composed(Tensor logits, IntNDArray targets, int ignoreIndex) {
        int v = logits.dim(-1);
        Tensor flat = logits.reshape(-1, v);
        int n = flat.dim(0);
        int[] safe = new int[n];
        float[] keep = new float[n];
        int kept = 0;
        for (int r = 0; r < n; r++) {
            boolean k = targets.storage()[r] != ignoreIndex;
            safe[r] = k ? targets.storage()[r] : 0;
            keep[r] = k ? 1f : 0f;
            if (k) kept++;
        }
        Tensor picked = flat.logSoftmax(1).gather(1, IntNDArray.of(safe, n, 1)).reshape(n);
        return picked.mul(Tensor.constant(NDArray.of(keep, n))).sum().div(-kept);
    }
}
