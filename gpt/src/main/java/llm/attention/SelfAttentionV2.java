package llm.attention;

import llm.autograd.Tensor;
import llm.nn.Layer;
import llm.nn.Linear;
import llm.nn.Module;
import llm.tensor.SeededRandom;

/**
 * {@link SelfAttentionV1} with {@link Linear} layers for the projections (Book §3.4.2, {@code SelfAttention_v2}):
 * better initialisation, and the bias is optional ({@code qkv_bias}).
 */
public final class SelfAttentionV2 extends Module implements Layer {
    final Linear wQuery, wKey, wValue;

    public SelfAttentionV2(int dIn, int dOut, boolean qkvBias, SeededRandom rng) {
        wQuery = registerModule("W_query", new Linear(dIn, dOut, qkvBias, rng));
        wKey = registerModule("W_key", new Linear(dIn, dOut, qkvBias, rng));
        wValue = registerModule("W_value", new Linear(dIn, dOut, qkvBias, rng));
    }

    /** {@code (T, d_in) -> (T, d_out)}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor keys = wKey.forward(x), queries = wQuery.forward(x), values = wValue.forward(x);
        Tensor weights = queries.matmul(keys.transpose(-2, -1)).div((float) Math.sqrt(keys.dim(-1))).softmax(-1);
        return weights.matmul(values);
    }
}
