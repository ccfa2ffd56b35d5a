package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Kernels that work a row at a time, one thread per row as llm.c's first CUDA versions do: LayerNorm forward with
 * the saved mean and reciprocal standard deviation and its backward (Book §4.2; CPU reference
 * {@code LayerNormKernels.forward} and {@code backward}; the parameter gradients take one thread per channel), and
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

    /** LayerNorm backward, the input's gradient: one thread per row (dx written, not added to). */
    public static void layerNormBackwardInput(FloatArray x, FloatArray dy, FloatArray scale, FloatArray mean, FloatArray rstd, FloatArray dx,
                                              int rows, int c) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * c;
            float m = mean.get(r), s = rstd.get(r);
            float meanDn = 0f, meanDnN = 0f;
            for (int i = 0; i < c; i++) {
                float n = (x.get(base + i) - m) * s;
                float dn = dy.get(base + i) * scale.get(i);
                meanDn += dn;
                meanDnN += dn * n;
            }
            meanDn = meanDn / c;
            meanDnN = meanDnN / c;
            for (int i = 0; i < c; i++) {
                float n = (x.get(base + i) - m) * s;
                float dn = dy.get(base + i) * scale.get(i);
                dx.set(base + i, s * (dn - meanDn - n * meanDnN));
            }
        }
    }

    /** LayerNorm backward, the scale's and shift's gradients added to: one thread per channel, rows in order. */
    public static void layerNormBackwardParams(FloatArray x, FloatArray dy, FloatArray mean, FloatArray rstd, FloatArray dscale, FloatArray dshift,
                                               int rows, int c) {
        for (@Parallel int i = 0; i < c; i++) {
            float ds = dscale.get(i), db = dshift.get(i);
            for (int r = 0; r < rows; r++) {
                float g = dy.get(r * c + i);
                ds += g * ((x.get(r * c + i) - mean.get(r)) * rstd.get(r));
                db += g;
            }
            dscale.set(i, ds);
            dshift.set(i, db);
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
