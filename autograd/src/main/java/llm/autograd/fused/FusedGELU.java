package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.GeluKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;

/**
 * GELU with the tanh approximation GPT-2 uses (Book §4.3):
 * {@code 0.5 · x · (1 + tanh(sqrt(2/π) · (x + 0.044715 · x³)))}.
 *
 * <p>Fused: one pass forward and a backward from the closed-form derivative ({@link GeluKernels}), instead of
 * the eight primitives (and their saved intermediates) of {@link #composed}.
 */
public final class FusedGELU {
    private FusedGELU() {}

    public static Tensor apply(Tensor x) {
        NDArray xc = x.data().contiguous();
        float[] in = xc.storage();
        int base = xc.offset();
        int n = xc.numel();
        float[] out = new float[n];
        GeluKernels.forward(in, base, out, 0, n, Parallelism.DEFAULT);
        return Graph.record(NDArray.of(out, x.shape()), "gelu", List.of(x), g -> {
            NDArray gc = g.contiguous();
            float[] dx = new float[n];
            GeluKernels.backward(in, base, gc.storage(), gc.offset(), dx, 0, n, Parallelism.DEFAULT);
            x.accumulateFreshGrad(NDArray.of(dx, x.shape()));
        });
    }

    /** The book's {@code GELU.forward}, built from primitives. */
    public static Tensor composed(Tensor x) {
        Tensor inner = x.add(x.pow(3f).mul(GeluKernels.CUBIC)).mul(GeluKernels.SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }
}
