package llm.attention;

import llm.tensor.NDArray;

/**
 * Self-attention without trainable weights (Book §3.3): each token's context vector is the average of all
 * input vectors, weighted by the softmax of their dot products with that token.
 *
 * {@snippet :
 * NDArray scores = SimplifiedSelfAttention.scores(inputs);      // (T, T): inputs · inputsᵀ
 * NDArray weights = SimplifiedSelfAttention.weights(inputs);    // softmax over each row
 * NDArray context = SimplifiedSelfAttention.context(inputs);    // (T, d): weights · inputs
 * }
 */
public final class SimplifiedSelfAttention {
    private SimplifiedSelfAttention() {}

    /** Attention scores {@code (T, T)}: every input's dot product with every other (§3.3.2). */
    public static NDArray scores(NDArray inputs) {
        return inputs.matmul(inputs.transpose(0, 1));
    }

    /** Attention weights: each row of the scores normalised by softmax so it sums to 1. */
    public static NDArray weights(NDArray inputs) {
        return scores(inputs).softmax(-1);
    }

    /** Context vectors {@code (T, d)}: the weighted sums of the inputs. */
    public static NDArray context(NDArray inputs) {
        return weights(inputs).matmul(inputs);
    }
}
