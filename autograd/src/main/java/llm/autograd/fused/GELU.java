package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * GELU with the tanh approximation GPT-2 uses (Book §4.3):
 * {@code 0.5 · x · (1 + tanh(sqrt(2/π) · (x + 0.044715 · x³)))}.
 *
 * <p>Fused: one pass forward, and a backward from the closed-form derivative, instead of the eight
 * primitives (and their saved intermediates) of {@link #composed}.
 */
public final class GELU {
    /** sqrt(2/π), from Hendrycks and Gimpel, "Gaussian Error Linear Units", 2016, eq. for the tanh approximation. */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    /** The cubic coefficient of the same approximation. */
    private static final float CUBIC = 0.044715f;

    private GELU() {}

    public static Tensor apply(Tensor x) {
        NDArray xc = x.data().contiguous();
        float[] in = xc.storage();
        int base = xc.offset();
        int n = xc.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float v = in[base + i];
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            out[i] = 0.5f * v * (1f + (float) Math.tanh(u));
        }
        return Graph.record(NDArray.of(out, x.shape()), "gelu", List.of(x), g -> {
            NDArray gc = g.contiguous();
            float[] dy = gc.storage();
            int go = gc.offset();
            float[] dx = new float[n];
            for (int i = 0; i < n; i++) {
                float v = in[base + i];
                float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
                float t = (float) Math.tanh(u);
                float du = SQRT_2_OVER_PI * (1f + 3f * CUBIC * v * v);
                // d/dx [0.5 x (1 + tanh u)] = 0.5 (1 + tanh u) + 0.5 x (1 - tanh² u) du/dx
                dx[i] = dy[go + i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du);
            }
            x.accumulateGrad(NDArray.of(dx, x.shape()));
        });
    }

    /** The book's {@code GELU.forward}, built from primitives. */
    public static Tensor composed(Tensor x) {
        Tensor inner = x.add(x.pow(3f).mul(CUBIC)).mul(SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }
}
