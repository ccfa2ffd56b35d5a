package llm.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** Book chapter 3 on its toy input, and the two multi-head forms against each other. */
class AttentionTest {
    /** "Your journey starts with one step", embedded in 3 dimensions (Book §3.3.1). */
    static final NDArray INPUTS = NDArray.of(new float[][] {
            {0.43f, 0.15f, 0.89f}, {0.55f, 0.87f, 0.66f}, {0.57f, 0.85f, 0.64f},
            {0.22f, 0.58f, 0.33f}, {0.77f, 0.25f, 0.10f}, {0.05f, 0.80f, 0.55f}});

    @Test
    void simplifiedSelfAttentionMatchesTheBook() {
        assertArrayEquals(new float[] {0.9544f, 1.4950f, 1.4754f, 0.8434f, 0.7070f, 1.0865f},
                SimplifiedSelfAttention.scores(INPUTS).select(0, 1).toArray(), 1e-4f);
        assertArrayEquals(new float[] {0.1385f, 0.2379f, 0.2333f, 0.1240f, 0.1082f, 0.1581f},
                SimplifiedSelfAttention.weights(INPUTS).select(0, 1).toArray(), 1e-4f);
        assertArrayEquals(new float[] {0.4419f, 0.6515f, 0.5683f}, SimplifiedSelfAttention.context(INPUTS).select(0, 1).toArray(), 1e-4f);
    }

    @Test
    void causalAttentionHidesTheFuture() {
        CausalAttention ca = new CausalAttention(3, 2, 6, 0f, false, new SeededRandom(789));
        Tensor x = Tensor.constant(NDArray.stack(List.of(INPUTS, INPUTS), 0));
        Tensor out = ca.forward(x);
        assertArrayEquals(new int[] {2, 6, 2}, out.shape());
        // changing the last token must not change the first five outputs
        NDArray changed = INPUTS.copy();
        changed.set(9f, 5, 0);
        Tensor out2 = ca.forward(Tensor.constant(changed.unsqueeze(0)));
        assertArrayEquals(out.data().select(0, 0).narrow(0, 0, 5).toArray(), out2.data().select(0, 0).narrow(0, 0, 5).toArray(), 1e-6f);
    }

    /** The wrapper's per-head weights copied into MultiHeadAttention's big projections; out_proj the identity. */
    private static void assertWrapperEqualsMultiHead(int dIn, int dOut, int heads) {
        SeededRandom rng = new SeededRandom(dIn + dOut + heads);
        int hd = dOut / heads, t = 5;
        MultiHeadAttentionWrapper wrapper = new MultiHeadAttentionWrapper(dIn, hd, 16, 0f, heads, false, rng);
        MultiHeadAttention mha = new MultiHeadAttention(dIn, dOut, 16, 0f, heads, false, rng);
        List<NDArray> q = new java.util.ArrayList<>(), k = new java.util.ArrayList<>(), v = new java.util.ArrayList<>();
        for (CausalAttention h : wrapper.heads) {
            q.add(h.wQuery.weight.data());
            k.add(h.wKey.weight.data());
            v.add(h.wValue.weight.data());
        }
        mha.wQuery.weight.setData(NDArray.concat(q, 0));
        mha.wKey.weight.setData(NDArray.concat(k, 0));
        mha.wValue.weight.setData(NDArray.concat(v, 0));
        NDArray eye = NDArray.zeros(dOut, dOut);
        for (int i = 0; i < dOut; i++) eye.set(1f, i, i);
        mha.outProj.weight.setData(eye);
        mha.outProj.bias.setData(NDArray.zeros(dOut));

        NDArray input = NDArray.randn(rng, 2, t, dIn);
        NDArray upstream = NDArray.randn(rng, 2, t, dOut);
        Tensor x1 = Tensor.parameter(input.copy()), x2 = Tensor.parameter(input.copy());
        Tensor y1 = wrapper.forward(x1), y2 = mha.forward(x2);
        assertArrayEquals(y1.data().toArray(), y2.data().toArray(), 1e-5f);
        y1.backward(upstream);
        y2.backward(upstream);
        assertArrayEquals(x1.grad().toArray(), x2.grad().toArray(), 1e-5f);
    }

    @Test
    void wrapperAndMultiHeadAttentionAgree() {
        assertWrapperEqualsMultiHead(768, 768, 12);
        assertWrapperEqualsMultiHead(768, 1536, 12);
        assertWrapperEqualsMultiHead(1024, 512, 8);
    }

    @Test
    void stateDictUsesTheBooksNames() {
        MultiHeadAttention mha = new MultiHeadAttention(4, 4, 8, 0.1f, 2, true, new SeededRandom(1));
        assertEquals(List.of("W_query.weight", "W_query.bias", "W_key.weight", "W_key.bias", "W_value.weight", "W_value.bias",
                "out_proj.weight", "out_proj.bias"), List.copyOf(mha.stateDict().keySet()));
    }
}
