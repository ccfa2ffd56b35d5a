package llm.attention;

import llm.autograd.Tensor;
import llm.nn.Layer;
import llm.nn.Module;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Self-attention with trainable weights, written with plain parameter matrices (Book §3.4.2,
 * {@code SelfAttention_v1}): queries, keys and values are {@code x · W}, the scores {@code Q · Kᵀ} are scaled
 * by {@code 1/sqrt(d_out)} before softmax, and the context is {@code weights · V}.
 */
public final class SelfAttentionV1 extends Module implements Layer {
    final Tensor wQuery, wKey, wValue; // (d_in, d_out), uniform [0, 1) as torch.rand

    public SelfAttentionV1(int dIn, int dOut, SeededRandom rng) {
        wQuery = registerParameter("W_query", Tensor.parameter(NDArray.rand(rng, dIn, dOut)));
        wKey = registerParameter("W_key", Tensor.parameter(NDArray.rand(rng, dIn, dOut)));
        wValue = registerParameter("W_value", Tensor.parameter(NDArray.rand(rng, dIn, dOut)));
    }

    /** {@code (T, d_in) -> (T, d_out)}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor keys = x.matmul(wKey), queries = x.matmul(wQuery), values = x.matmul(wValue);
        Tensor scores = queries.matmul(keys.transpose(0, 1));
        Tensor weights = scores.div((float) Math.sqrt(keys.dim(-1))).softmax(-1);
        return weights.matmul(values);
    }
}
