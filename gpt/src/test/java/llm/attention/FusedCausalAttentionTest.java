package llm.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** The fused online-softmax kernel against the step-by-step attention, values and gradients. */
class FusedCausalAttentionTest {

    /**
     * Fused against step by step, values and gradients. Twin generators make the fused kernel and the step-by-step
     * Dropout draw the same mask when {@code rate > 0}.
     */
    private static void compare(int b, int heads, int t, int hs, float rate, long seed, float gradTolerance) {
        SeededRandom data = new SeededRandom(seed);
        NDArray q = NDArray.randn(data, b, heads, t, hs), k = NDArray.randn(data, b, heads, t, hs), v = NDArray.randn(data, b, heads, t, hs);
        NDArray up = NDArray.randn(data, b, heads, t, hs);
        SeededRandom fusedRng = new SeededRandom(seed + 1), referenceRng = new SeededRandom(seed + 1);
        MultiHeadAttention reference = new MultiHeadAttention(heads * hs, heads * hs, t, rate, heads, false, referenceRng);
        new MultiHeadAttention(heads * hs, heads * hs, t, rate, heads, false, fusedRng); // the same draws for the weights
        Tensor q1 = Tensor.parameter(q.copy()), k1 = Tensor.parameter(k.copy()), v1 = Tensor.parameter(v.copy());
        Tensor q2 = Tensor.parameter(q.copy()), k2 = Tensor.parameter(k.copy()), v2 = Tensor.parameter(v.copy());
        Tensor fused = FusedCausalAttention.apply(q1, k1, v1, rate, fusedRng);
        Tensor stepByStep = reference.attendStepByStep(q2, k2, v2, t);
        assertArrayEquals(stepByStep.data().toArray(), fused.data().toArray(), 1e-5f, "output");
        fused.backward(up);
        stepByStep.backward(up);
        assertArrayEquals(q2.grad().toArray(), q1.grad().toArray(), gradTolerance, "dq");
        assertArrayEquals(k2.grad().toArray(), k1.grad().toArray(), gradTolerance, "dk");
        assertArrayEquals(v2.grad().toArray(), v1.grad().toArray(), gradTolerance, "dv");
        assertEquals(referenceRng.nextLong(), fusedRng.nextLong(), "both drew the same count of random numbers");
    }

    @Test
    void dropoutAgreesWithStepByStepAttention() {
        qt().withExamples(20).forAll(integers().between(1, 3), integers().between(1, 20), integers().between(1, 40), longs().all())
                .checkAssert((heads, t, hs, seed) -> compare(1 + (int) (seed & 1), heads, t, hs, 0.3f, seed, 3e-5f));
        compare(2, 12, 64, 64, 0.1f, 11, 3e-5f); // GPT-2's head size and the book's rate
    }

    @Test
    void dropoutRateIsChecked() {
        Tensor x = Tensor.parameter(NDArray.zeros(1, 1, 2, 2));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FusedCausalAttention.apply(x, x, x, 1f, new SeededRandom(1)));
        assertEquals("fusedCausalAttention: dropout rate must be in [0, 1), got 1.0", e.getMessage());
    }

    @Test
    void agreesWithStepByStepAttentionOnRandomShapes() {
        qt().withExamples(30).forAll(integers().between(1, 4), integers().between(1, 20), integers().between(1, 70), longs().all())
                .checkAssert((heads, t, hs, seed) -> compare(1 + (int) (seed & 1), heads, t, hs, 0f, seed, 2e-5f));
        compare(1, 12, 64, 64, 0f, 7, 2e-5f); // GPT-2 head size
    }

    @Test
    void multiHeadAttentionUsesItWhenDropoutIsOff() {
        SeededRandom rng = new SeededRandom(3);
        MultiHeadAttention mha = new MultiHeadAttention(32, 32, 16, 0.1f, 4, false, rng);
        Tensor x = Tensor.constant(NDArray.randn(rng, 2, 9, 32));
        mha.eval();
        float[] fused;
        try (var off = Grad.off()) {
            fused = mha.forward(x).data().toArray();
        }
        // the same computation step by step (dropout is the identity in evaluation mode)
        int b = 2, t = 9;
        Tensor q = mha.wQuery.forward(x).view(b, t, 4, 8).transpose(1, 2);
        Tensor k = mha.wKey.forward(x).view(b, t, 4, 8).transpose(1, 2);
        Tensor v = mha.wValue.forward(x).view(b, t, 4, 8).transpose(1, 2);
        Tensor ref = mha.outProj.forward(mha.attendStepByStep(q, k, v, t).transpose(1, 2).contiguous().view(b, t, 32));
        assertArrayEquals(ref.data().toArray(), fused, 1e-5f);
        assertEquals(false, MultiHeadAttention.FORCE_STEP_BY_STEP);
    }
}
