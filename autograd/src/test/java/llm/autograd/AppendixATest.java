package llm.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.ref.WeakReference;

import org.junit.jupiter.api.Test;

import llm.tensor.NDArray;

/** Book Appendix A.4: the logistic-regression example and its two gradients. */
class AppendixATest {

    @Test
    void logisticRegressionGradientsMatchTheBook() {
        Tensor y = Tensor.constant(NDArray.of(new float[] {1.0f}, 1));
        Tensor x1 = Tensor.constant(NDArray.of(new float[] {1.1f}, 1));
        Tensor w1 = Tensor.parameter(NDArray.of(new float[] {2.2f}, 1));
        Tensor b = Tensor.parameter(NDArray.of(new float[] {0.0f}, 1));
        Tensor z = x1.mul(w1).add(b);
        Tensor a = z.sigmoid();
        // binary cross-entropy: -(y·log a + (1-y)·log(1-a))
        Tensor loss = y.mul(a.log()).add(y.neg().add(1f).mul(a.neg().add(1f).log())).neg().mean();
        loss.backward();
        assertEquals(-0.0898f, w1.grad().item(), 5e-5f);
        assertEquals(-0.0817f, b.grad().item(), 5e-5f);
    }

    @Test
    void gradientsAccumulateAcrossUsesAndCalls() {
        Tensor x = Tensor.parameter(NDArray.of(new float[] {3f}, 1));
        x.mul(x).sum().backward();            // d(x²)/dx = 2x = 6, x used twice
        assertEquals(6f, x.grad().item(), 0f);
        x.mul(2f).sum().backward();           // adds 2
        assertEquals(8f, x.grad().item(), 0f);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor w = Tensor.parameter(NDArray.of(new float[] {2f}, 1));
        try (var off = Grad.off()) {
            Tensor out = w.mul(3f);
            assertEquals(false, out.requiresGrad());
            assertThrows(IllegalStateException.class, out::backward);
        }
        assertEquals(true, w.mul(3f).requiresGrad());
        Tensor d = w.detach();
        assertSame(w.data(), d.data());
        assertEquals(false, d.requiresGrad());
    }

    @Test
    void backwardOnNonScalarNeedsUpstreamGradient() {
        Tensor w = Tensor.parameter(NDArray.ones(2, 2));
        var e = assertThrows(IllegalStateException.class, () -> w.mul(2f).backward());
        assertEquals(true, e.getMessage().contains("(2, 2)"));
        w.mul(2f).backward(NDArray.ones(2, 2));
        assertEquals(2f, w.grad().get(1, 1), 0f);
    }

    @Test
    void backwardFreesWhatTheGraphSavedAndRefusesASecondPass() {
        Tensor w = Tensor.parameter(NDArray.of(new float[] {1f, -2f, 3f, 0.5f}, 2, 2));
        Tensor hidden = w.matmul(w).tanh();                 // tanh saves what it needs, made from the product
        WeakReference<NDArray> product = new WeakReference<>(hidden.node().inputs().get(0).data());
        Tensor loss = hidden.sum();
        hidden = null;
        loss.backward();
        assertEquals(2, w.grad().rank());
        for (int i = 0; i < 20 && product.get() != null; i++) System.gc();
        assertNull(product.get(), "the product's value is still reachable after backward");
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertEquals(true, e.getMessage().contains("already used by an earlier backward pass"), e.getMessage());
    }
    @Test
    void aFreshGradientIsKeptWithoutACopyAndASharedOneIsNeverWrittenTo() {
        Tensor w = Tensor.parameter(NDArray.zeros(2, 2));
        NDArray shared = NDArray.of(new float[] {1f, 2f, 3f, 4f}, 2, 2);
        w.accumulateGrad(shared);                          // the caller keeps using it: copied
        assertNotSame(shared, w.grad());
        w.accumulateGrad(shared);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, shared.toArray());
        assertArrayEquals(new float[] {2f, 4f, 6f, 8f}, w.grad().toArray());

        Tensor v = Tensor.parameter(NDArray.zeros(2, 2));
        NDArray fresh = NDArray.of(new float[] {1f, 1f, 1f, 1f}, 2, 2);
        v.accumulateFreshGrad(fresh);                      // nobody else holds it: kept, and later ones added in place
        assertSame(fresh, v.grad());
        v.accumulateGrad(shared);
        assertSame(fresh, v.grad());
        assertArrayEquals(new float[] {2f, 3f, 4f, 5f}, v.grad().toArray());
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, shared.toArray());

        // an intermediate tensor shares the first gradient it gets; a fresh second one is added into the fresh
        // array, never into the shared one (the residual stream of a transformer gets exactly these two)
        Tensor x = Tensor.parameter(NDArray.of(new float[] {1f, 2f}, 2));
        Tensor y = x.mul(Tensor.constant(NDArray.of(new float[] {3f, 3f}, 2)));
        NDArray upstream = NDArray.of(new float[] {1f, 1f}, 2);
        y.accumulateGrad(upstream);
        NDArray second = NDArray.of(new float[] {10f, 20f}, 2);
        y.accumulateFreshGrad(second);
        assertArrayEquals(new float[] {1f, 1f}, upstream.toArray());
        assertArrayEquals(new float[] {11f, 21f}, y.grad().toArray());
    }
}
