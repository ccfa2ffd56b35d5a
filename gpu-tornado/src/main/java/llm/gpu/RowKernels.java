package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Kernels that work a row at a time, one thread per row as llm.c's first CUDA versions do: LayerNorm forward with
 * the saved mean and reciprocal standard deviation (Book §4.2; CPU reference {@code LayerNormKernels.forward}), and
 * softmax cross-entropy forward and backward (Book §5.1.2; reference {@code CrossEntropyKernels}). A row is a few
 * hundred to 50,257 numbers; a faster version would give each row a work-group and reduce in local memory.
 */
public final class RowKernels {
    private RowKernels() {}

    public static void layerNormForward(FloatArray x, FloatArray scale, FloatArray shift, FloatArray out, FloatArray mean, FloatArray rstd,
                                        int rows, int c, float eps) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * c;
            float m = 0f;
            for (int i = 0; i < c; i++) m += x.get(base + i);
            m = m / c;
            float var = 0f;
            for (int i = 0; i < c; i++) {
                float d = x.get(base + i) - m;
                var += d * d;
            }
            var = var / c;
            float s = 1f / TornadoMath.sqrt(var + eps);
            for (int i = 0; i < c; i++) out.set(base + i, (x.get(base + i) - m) * s * scale.get(i) + shift.get(i));
            mean.set(r, m);
            rstd.set(r, s);
        }
    }

    /** Per row: {@code loss = log Σ exp(x) - x[target]}, and the softmax kept in {@code probs} for the backward. */
    public static void crossEntropyForward(FloatArray logits, IntArray targets, FloatArray probs, FloatArray losses, int rows, int v) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * v;
            float max = logits.get(base);
            for (int j = 1; j < v; j++) max = TornadoMath.max(max, logits.get(base + j));
            float sum = 0f;
            for (int j = 0; j < v; j++) {
                float e = TornadoMath.exp(logits.get(base + j) - max);
                probs.set(base + j, e);
                sum += e;
            }
            for (int j = 0; j < v; j++) probs.set(base + j, probs.get(base + j) / sum);
            losses.set(r, max + TornadoMath.log(sum) - logits.get(base + targets.get(r)));
        }
    }

    /** {@code dlogits = (softmax - onehot(target)) · scale}, {@code scale} = upstream gradient / rows counted. */
    public static void crossEntropyBackward(FloatArray probs, IntArray targets, FloatArray dlogits, int rows, int v, float scale) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * v, t = targets.get(r);
            for (int j = 0; j < v; j++) {
                float g = probs.get(base + j);
                if (j == t) g = g - 1f;
                dlogits.set(base + j, g * scale);
            }
        }
    }
}
