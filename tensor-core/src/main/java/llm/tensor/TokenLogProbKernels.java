package llm.tensor;

/**
 * The log-probability a softmax over {@code V} logits gives one chosen token, row by row, with the row's entropy
 * beside it: what RLHF needs from the policy for each sampled token (Book chapter 8, PPO's {@code log π(a|s)}), and
 * DPO for each response token. For row {@code r} with target {@code t}:
 * {@code logprob_r = x_t - log Σ_j exp(x_j)} and {@code entropy_r = log Σ_j exp(x_j) - Σ_j p_j x_j}.
 *
 * <p>The forward keeps each row's softmax {@code p}; the backward turns it in place into the gradient
 * {@code g_r · (onehot(t) - p)}, so the {@code (N, V)} log-softmax matrix of the composed version
 * ({@code logSoftmax} then {@code gather}) is never formed. Blocks of {@link #ROWS} rows go to the threads.
 */
public final class TokenLogProbKernels {
    /** Rows per parallel task. */
    public static final int ROWS = 16;

    private TokenLogProbKernels() {}

    /**
     * Fills {@code logprob (N)} and {@code entropy (N)} from {@code n} rows of {@code logits[base ..]} and their
     * {@code targets}; each row's softmax is written to {@code probs (N, V)}.
     */
    public static void forward(float[] logits, int base, int[] targets, float[] probs, float[] logprob, float[] entropy, int n, int v, Parallelism par) {
        for (int r = 0; r < n; r++) {
            if (targets[r] < 0 || targets[r] >= v) {
                throw new IndexOutOfBoundsException("tokenLogProbs: token id " + targets[r] + " at row " + r + " is outside the vocabulary of " + v);
            }
        }
        par.forEach((n + ROWS - 1) / ROWS, b -> {
            for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                int row = base + r * v, out = r * v;
                float logNormaliser = Vectorization.ENABLED
                        ? SoftmaxKernels.softmaxVector(logits, row, probs, out, v)
                        : SoftmaxKernels.softmaxScalar(logits, row, probs, out, v);
                logprob[r] = logits[row + targets[r]] - logNormaliser;
                double expected = 0;                        // Σ p_j x_j, the mean logit under the softmax
                for (int j = 0; j < v; j++) expected += (double) probs[out + j] * logits[row + j];
                entropy[r] = (float) (logNormaliser - expected);
            }
        });
    }

    /** Turns the saved softmax into the gradient in place: {@code probs_r = gradOut_r · (onehot(t_r) - probs_r)}. */
    public static void backward(float[] probs, int[] targets, float[] gradOut, int n, int v, Parallelism par) {
        par.forEach((n + ROWS - 1) / ROWS, b -> {
            for (int r = b * ROWS, end = Math.min(n, r + ROWS); r < end; r++) {
                int row = r * v;
                float g = gradOut[r];
                for (int j = 0; j < v; j++) probs[row + j] *= -g;
                probs[row + targets[r]] += g;
            }
        });
    }
}
