package llm.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

import llm.autograd.fused.CrossEntropy;
import llm.autograd.fused.FusedDropout;
import llm.autograd.fused.FusedGELU;
import llm.autograd.fused.FusedLayerNorm;
import llm.autograd.ops.SoftmaxOps;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** Each fused layer against the same function composed of primitives: values and gradients. */
class FusedVersusComposedTest {

    private static void assertClose(NDArray expected, NDArray actual, float tol, String what) {
        float[] e = expected.contiguous().toArray(), a = actual.contiguous().toArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " element " + i);
    }

    @Test
    void layerNormGeluCrossEntropySoftmax() {
        qt().withExamples(30).forAll(integers().between(1, 6), integers().between(2, 40), longs().all()).checkAssert((rows, c, seed) -> {
            SeededRandom rng = new SeededRandom(seed);
            NDArray x = NDArray.randn(rng, rows, c).mul(3f);
            NDArray w = NDArray.randn(rng, c), b = NDArray.randn(rng, c);

            Tensor x1 = Tensor.parameter(x.copy()), w1 = Tensor.parameter(w.copy()), b1 = Tensor.parameter(b.copy());
            Tensor x2 = Tensor.parameter(x.copy()), w2 = Tensor.parameter(w.copy()), b2 = Tensor.parameter(b.copy());
            Tensor y1 = FusedLayerNorm.apply(x1, w1, b1, 1e-5f), y2 = FusedLayerNorm.composed(x2, w2, b2, 1e-5f);
            NDArray up = NDArray.randn(rng, rows, c);
            y1.backward(up);
            y2.backward(up);
            assertClose(y2.data(), y1.data(), 1e-4f, "layerNorm value");
            assertClose(x2.grad(), x1.grad(), 1e-3f, "layerNorm dx");
            assertClose(w2.grad(), w1.grad(), 1e-4f, "layerNorm dscale");
            assertClose(b2.grad(), b1.grad(), 1e-4f, "layerNorm dshift");

            Tensor g1 = Tensor.parameter(x.copy()), g2 = Tensor.parameter(x.copy());
            Tensor o1 = FusedGELU.apply(g1), o2 = FusedGELU.composed(g2);
            o1.backward(up);
            o2.backward(up);
            assertClose(o2.data(), o1.data(), 1e-5f, "gelu value");
            assertClose(g2.grad(), g1.grad(), 1e-4f, "gelu grad");

            int[] t = new int[rows];
            for (int i = 0; i < rows; i++) t[i] = i == 0 && rows > 1 ? CrossEntropy.IGNORE_INDEX : rng.nextInt(c);
            IntNDArray targets = IntNDArray.of(t, rows);
            Tensor l1x = Tensor.parameter(x.copy()), l2x = Tensor.parameter(x.copy());
            Tensor l1 = CrossEntropy.apply(l1x, targets), l2 = CrossEntropy.composed(l2x, targets, CrossEntropy.IGNORE_INDEX);
            l1.backward();
            l2.backward();
            assertEquals(l2.item(), l1.item(), 1e-4f * (1 + Math.abs(l2.item())), "crossEntropy value");
            assertClose(l2x.grad(), l1x.grad(), 1e-4f, "crossEntropy grad");

            Tensor s1x = Tensor.parameter(x.copy()), s2x = Tensor.parameter(x.copy());
            Tensor s1 = s1x.softmax(-1), s2 = SoftmaxOps.softmaxComposed(s2x, -1);
            s1.backward(up);
            s2.backward(up);
            assertClose(s2.data(), s1.data(), 1e-5f, "softmax value");
            assertClose(s2x.grad(), s1x.grad(), 1e-4f, "softmax grad");
        });
    }

    @Test
    void linearWithFoldedBatchMatchesComposed() {
        qt().withExamples(40).forAll(integers().between(1, 3), integers().between(1, 9), integers().between(1, 40), longs().all()).checkAssert((b, t, in, seed) -> {
            SeededRandom rng = new SeededRandom(seed);
            int out = 1 + rng.nextInt(37);
            boolean withBias = rng.nextInt(2) == 0;
            NDArray x = NDArray.randn(rng, b, t, in), w = NDArray.randn(rng, out, in), bias = NDArray.randn(rng, out);
            Tensor x1 = Tensor.parameter(x.copy()), w1 = Tensor.parameter(w.copy()), b1 = withBias ? Tensor.parameter(bias.copy()) : null;
            Tensor x2 = Tensor.parameter(x.copy()), w2 = Tensor.parameter(w.copy()), b2 = withBias ? Tensor.parameter(bias.copy()) : null;
            Tensor y1 = llm.autograd.fused.FusedLinear.apply(x1, w1, b1), y2 = llm.autograd.fused.FusedLinear.composed(x2, w2, b2);
            assertClose(y2.data(), y1.data(), 1e-5f, "linear value");
            NDArray up = NDArray.randn(rng, b, t, out);
            y1.backward(up);
            y2.backward(up);
            assertClose(x2.grad(), x1.grad(), 1e-4f, "linear dx");
            assertClose(w2.grad(), w1.grad(), 1e-4f, "linear dW");
            if (withBias) assertClose(b2.grad(), b1.grad(), 1e-4f, "linear db");
        });
    }

    @Test
    void dropoutKeepsTheExpectedValueAndIsSeeded() {
        Tensor x = Tensor.constant(NDArray.ones(1000, 100));
        Tensor a = FusedDropout.apply(x, 0.1f, true, new SeededRandom(7));
        Tensor b = FusedDropout.apply(x, 0.1f, true, new SeededRandom(7));
        assertClose(a.data(), b.data(), 0f, "same seed, same mask");
        float mean = a.data().mean().item();
        assertEquals(1f, mean, 0.01f, "inverted scaling keeps the mean");
        float zeros = a.data().eq(0f).mean().item();
        assertEquals(0.1f, zeros, 0.005f, "drop rate");
        assertEquals(x, FusedDropout.apply(x, 0.1f, false, new SeededRandom(7)), "evaluation mode is the identity");
    }
}
