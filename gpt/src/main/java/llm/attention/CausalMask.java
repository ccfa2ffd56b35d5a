package llm.attention;

import llm.tensor.NDArray;

/**
 * The mask that hides future tokens (Book §3.5.1): 1 above the diagonal of a {@code (T, T)} matrix, where
 * scores are replaced by -inf before the softmax, so that token {@code t} attends only to tokens {@code ≤ t}.
 */
public final class CausalMask {
    private CausalMask() {}

    /** {@code torch.triu(torch.ones(T, T), diagonal=1)}. */
    public static NDArray of(int tokens) {
        return NDArray.ones(tokens, tokens).triu(1);
    }

    /**
     * Rows {@code from .. from+count-1} of {@code of(total)}, built directly: {@code (count, total)}, 1 where key
     * {@code j} comes after query position {@code from + i}. Generation with a cache needs these rows only.
     */
    public static NDArray rows(int from, int count, int total) {
        float[] m = new float[count * total];
        for (int i = 0; i < count; i++) {
            for (int j = from + i + 1; j < total; j++) m[i * total + j] = 1f;
        }
        return NDArray.of(m, count, total);
    }
}
