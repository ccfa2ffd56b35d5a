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
}
