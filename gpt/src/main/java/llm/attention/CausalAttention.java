package llm.attention;

import llm.autograd.Tensor;
import llm.nn.Dropout;
import llm.nn.Layer;
import llm.nn.Linear;
import llm.nn.Module;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Causal (masked) self-attention with dropout on the attention weights, for batches (Book §3.5.3,
 * {@code CausalAttention}).
 */
public final class CausalAttention extends Module implements Layer {
    final Linear wQuery, wKey, wValue;
    private final Dropout dropout;
    private final NDArray mask; // (context, context), 1 above the diagonal

    public CausalAttention(int dIn, int dOut, int contextLength, float dropRate, boolean qkvBias, SeededRandom rng) {
        wQuery = registerModule("W_query", new Linear(dIn, dOut, qkvBias, rng));
        wKey = registerModule("W_key", new Linear(dIn, dOut, qkvBias, rng));
        wValue = registerModule("W_value", new Linear(dIn, dOut, qkvBias, rng));
        dropout = registerModule("dropout", new Dropout(dropRate, rng));
        mask = CausalMask.of(contextLength);
    }

    /** {@code (B, T, d_in) -> (B, T, d_out)}. */
    @Override
    public Tensor forward(Tensor x) {
        int t = x.dim(1);
        Tensor keys = wKey.forward(x), queries = wQuery.forward(x), values = wValue.forward(x);
        Tensor scores = queries.matmul(keys.transpose(1, 2));                       // (B, T, T)
        scores = scores.maskedFill(mask.narrow(0, 0, t).narrow(1, 0, t), Float.NEGATIVE_INFINITY);
        Tensor weights = dropout.forward(scores.div((float) Math.sqrt(keys.dim(-1))).softmax(-1));
        return weights.matmul(values);
    }
}
