package llm.tensor;

/**
 * Softmax cross-entropy over rows of {@code V} logits (Book §5.1.2, {@code torch.nn.functional.cross_entropy}),
 * llm.c's {@code crossentropy_softmax_backward} with the forward beside it. For each row whose target is not
 * {@code ignoreIndex}: {@code loss_r = log Σ_j exp(x_j) - x_target}; the forward keeps each row's softmax, and
 * the backward turns it into the gradient {@code (softmax - onehot(target)) · scale} in place.
 *
 * <p>Shapes: {@code logits, probs (N, V)}, {@code targets (N)}. Blocks of {@link #ROWS} rows go to the threads;
 * each block sums its own losses and the blocks are added in order, so the result does not depend on the number
 * of threads. The softmax of a row is {@link SoftmaxKernels}' (scalar reference or Vector API version).
 */
public final class CrossEntropyKernels {
    /** Rows per parallel task. */
    public static final int ROWS = 16;

    private CrossEntropyKernels() {}

    /** The summed loss over the counted rows, and how many rows counted. */
    public record LossSum(double total, int count) {
        /** The mean loss; NaN when every target was ignored (0/0), as PyTorch returns. */
        public float mean() {
            return (float) (total / count);
        }
    }

    /** Checks every target id is a class or {@code ignoreIndex}; the error names the row. */
    public static void checkTargets(int[] targets, int n, int v, int ignoreIndex) {
        for (int r = 0; r < n; r++) {
            if (targets[r] != ignoreIndex && (targets[r] < 0 || targets[r] >= v)) {
                throw new IndexOutOfBoundsException("crossEntropy: target id " + targets[r] + " at row " + r + " is outside the " + v + " classes");
            }
        }
    }

    /** Loss of {@code n} rows of {@code logits[base ..]}; each counted row's softmax is written to {@code probs}. */
    public static LossSum forward(float[] logits, int base, int[] targets, int ignoreIndex, float[] probs, int n, int v, Parallelism par) {
        int blocks = (n + ROWS - 1) / ROWS;
        double[] blockLoss = new double[blocks];
        int[] blockKept = new int[blocks];
        par.forEach(blocks, b -> {
            for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                if (targets[r] == ignoreIndex) continue;
                int row = base + r * v;
                float logNormaliser = Vectorization.ENABLED
                        ? SoftmaxKernels.softmaxVector(logits, row, probs, r * v, v)
                        : SoftmaxKernels.softmaxScalar(logits, row, probs, r * v, v);
                blockLoss[b] += logNormaliser - logits[row + targets[r]];   // -log softmax(x)[target]
                blockKept[b]++;
            }
        });
        double total = 0;
        int kept = 0;
        for (int b = 0; b < blocks; b++) {
            total += blockLoss[b];
            kept += blockKept[b];
        }
        return new LossSum(total, kept);
    }

    /**
     * Turns the saved softmax into the gradient in place: {@code probs_r = (probs_r - onehot(target_r)) · scale}
     * (with {@code scale} the upstream gradient over the counted rows), and zero for ignored rows.
     */
    public static void backward(float[] probs, int[] targets, int ignoreIndex, float scale, int n, int v, Parallelism par) {
        par.forEach((n + ROWS - 1) / ROWS, b -> {
            for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                int row = r * v;
                if (targets[r] == ignoreIndex) {
                    java.util.Arrays.fill(probs, row, row + v, 0f);
                    continue;
                }
                for (int j = 0; j < v; j++) probs[row + j] *= scale;
                probs[row + targets[r]] -= scale;
            }
        });
    }
}
