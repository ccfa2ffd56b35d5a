package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.Shape;
import llm.tensor.SoftmaxKernels;
import llm.tensor.Vectorization;

/**
 * Cross-entropy of logits against target ids, {@code torch.nn.functional.cross_entropy} (Book §5.1.2): for
 * each row, {@code log Σ_j exp(x_j) - x_target}, averaged over the rows whose target is not {@code
 * ignoreIndex} (Book §7.3 pads targets with -100 so that padding does not count).
 *
 * <p>Fused: the forward saves each row's softmax, and the backward is {@code (softmax - onehot(target)) / n},
 * which never forms the log-softmax matrix. {@link #composed} builds the same loss from log-softmax, gather
 * and mean; the tests check one against the other.
 */
public final class CrossEntropy {
    /** PyTorch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    /** Rows per parallel task. */
    private static final int ROWS = 16;

    private CrossEntropy() {}

    /** Logits {@code (N, V)} (or {@code (..., V)}, flattened) and targets {@code (N)} (or {@code (...)}). */
    public static Tensor apply(Tensor logits, IntNDArray targets) {
        return apply(logits, targets, IGNORE_INDEX);
    }

    public static Tensor apply(Tensor logits, IntNDArray targets, int ignoreIndex) {
        int v = logits.dim(-1);
        int n = logits.numel() / v;
        if (targets.numel() != n) {
            throw new IllegalArgumentException("crossEntropy: logits " + Shape.format(logits.shape()) + " have " + n
                    + " rows but targets " + Shape.format(targets.shape()) + " have " + targets.numel() + " ids");
        }
        NDArray x = logits.data().contiguous();
        float[] in = x.storage();
        int base = x.offset();
        int[] t = targets.storage();
        for (int r = 0; r < n; r++) {
            if (t[r] != ignoreIndex && (t[r] < 0 || t[r] >= v)) {
                throw new IndexOutOfBoundsException("crossEntropy: target id " + t[r] + " at row " + r + " is outside the " + v + " classes");
            }
        }
        float[] probs = new float[n * v];  // each row's softmax, saved for the backward pass
        // Rows are independent: blocks of ROWS rows go to the threads. Each block sums its own losses and the
        // blocks are added in order, so the result does not depend on the number of threads.
        int blocks = (n + ROWS - 1) / ROWS;
        double[] blockLoss = new double[blocks];
        int[] blockKept = new int[blocks];
        Parallelism.DEFAULT.forEach(blocks, b -> {
            for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                if (t[r] == ignoreIndex) continue;
                int row = base + r * v;
                float logNormaliser = Vectorization.ENABLED
                        ? SoftmaxKernels.softmaxVector(in, row, probs, r * v, v)
                        : SoftmaxKernels.softmaxScalar(in, row, probs, r * v, v);
                blockLoss[b] += logNormaliser - in[row + t[r]];   // -log softmax(x)[target]
                blockKept[b]++;
            }
        });
        double total = 0;
        int kept = 0;
        for (int b = 0; b < blocks; b++) {
            total += blockLoss[b];
            kept += blockKept[b];
        }
        // PyTorch returns NaN when every target is ignored (0/0); so do we, rather than a made-up number.
        float loss = (float) (total / kept);
        final int count = kept;
        // The backward turns the saved softmax into the gradient in place: (softmax - onehot) / n. At GPT-2's
        // vocabulary and 4 x 256 tokens that array is 206 MB, so no second one is allocated; a graph can be
        // walked backward once, as in PyTorch without retain_graph.
        boolean[] used = {false};
        return Graph.record(NDArray.scalar(loss), "crossEntropy", List.of(logits), g -> {
            if (used[0]) throw new IllegalStateException("crossEntropy: backward through the same loss twice");
            used[0] = true;
            float scale = g.item() / count;
            Parallelism.DEFAULT.forEach(blocks, b -> {
                for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                    int row = r * v;
                    if (t[r] == ignoreIndex) {
                        java.util.Arrays.fill(probs, row, row + v, 0f);
                        continue;
                    }
                    for (int j = 0; j < v; j++) probs[row + j] *= scale;
                    probs[row + t[r]] -= scale;
                }
            });
            logits.accumulateGrad(NDArray.of(probs, logits.shape()));
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
