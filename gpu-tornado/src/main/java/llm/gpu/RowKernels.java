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

    /**
     * One thread per row: {@code out = (x - mean) · rstd · scale + shift}, keeping the row's mean and reciprocal
     * standard deviation at {@code a[mean + r]} and {@code a[rstd + r]}; scale and shift are read from the parameter
     * array {@code w}. Input, output and statistics live in the one activation array {@code a}.
     */
    public static void layerNormForward(FloatArray a, int x, int out, int mean, int rstd, FloatArray w, int scale, int shift, int rows, int c, float eps) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * c;
            float m = 0f;
            for (int i = 0; i < c; i++) m += a.get(x + base + i);
            m = m / c;
            float var = 0f;
            for (int i = 0; i < c; i++) {
                float d = a.get(x + base + i) - m;
                var += d * d;
            }
            var = var / c;
            float s = 1f / TornadoMath.sqrt(var + eps);
            for (int i = 0; i < c; i++) a.set(out + base + i, (a.get(x + base + i) - m) * s * w.get(scale + i) + w.get(shift + i));
            a.set(mean + r, m);
            a.set(rstd + r, s);
        }
    }

    /** LayerNorm backward, the input's gradient: one thread per row (dx written, not added to). */
    public static void layerNormBackwardInput(FloatArray a, int x, int dy, int mean, int rstd, int dx, FloatArray w, int scale, int rows, int c) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = r * c;
            float m = a.get(mean + r), s = a.get(rstd + r);
            float meanDn = 0f, meanDnN = 0f;
            for (int i = 0; i < c; i++) {
                float n = (a.get(x + base + i) - m) * s;
                float dn = a.get(dy + base + i) * w.get(scale + i);
                meanDn += dn;
                meanDnN += dn * n;
            }
            meanDn = meanDn / c;
            meanDnN = meanDnN / c;
            for (int i = 0; i < c; i++) {
                float n = (a.get(x + base + i) - m) * s;
                float dn = a.get(dy + base + i) * w.get(scale + i);
                a.set(dx + base + i, s * (dn - meanDn - n * meanDnN));
            }
        }
    }

    /** LayerNorm backward, the scale's and shift's gradients added to: one thread per channel, rows in order. */
    public static void layerNormBackwardParams(FloatArray a, int x, int dy, int mean, int rstd, FloatArray g, int dscale, int dshift, int rows, int c) {
        for (@Parallel int i = 0; i < c; i++) {
            float ds = g.get(dscale + i), db = g.get(dshift + i);
            for (int r = 0; r < rows; r++) {
                float d = a.get(dy + r * c + i);
                ds += d * ((a.get(x + r * c + i) - a.get(mean + r)) * a.get(rstd + r));
                db += d;
            }
            g.set(dscale + i, ds);
            g.set(dshift + i, db);
        }
    }

    /**
     * Per row of the logits at {@code a[off..]}: {@code loss = log Σ exp(x) - x[target]} into {@code losses}, and the
     * softmax written over the logits, in place (llm.c's fused classifier), for the backward. A row whose target is
     * negative (PyTorch's {@code ignore_index}, -100: padding, Book §7.3) has loss 0.
     */
    public static void crossEntropyForward(FloatArray a, int off, IntArray targets, FloatArray losses, int rows, int v) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = off + r * v, t = targets.get(r);
            float max = a.get(base);
            for (int j = 1; j < v; j++) max = TornadoMath.max(max, a.get(base + j));
            float sum = 0f;
            for (int j = 0; j < v; j++) sum += TornadoMath.exp(a.get(base + j) - max);
            float loss = 0f;
            if (t >= 0) loss = max + TornadoMath.log(sum) - a.get(base + t);
            losses.set(r, loss);
            for (int j = 0; j < v; j++) a.set(base + j, TornadoMath.exp(a.get(base + j) - max) / sum);
        }
    }

    /**
     * In place over the softmax at {@code a[off..]}: {@code dlogits = (softmax - onehot(target)) · scale[r]}, where the
     * host sets {@code scale[r]}, the loss's derivative by row r's {@code -log p(target)}: 1 / rows counted for the
     * mean of a language model's loss (rows can be ignored, so it varies by batch), a per-sequence weight for a loss of
     * whole sequences' log-probabilities (DPO); an ignored row's gradient is 0.
     */
    public static void crossEntropyBackward(FloatArray a, int off, IntArray targets, int rows, int v, FloatArray scale) {
        for (@Parallel int r = 0; r < rows; r++) {
            int base = off + r * v, t = targets.get(r);
            float s = scale.get(r);
            if (t < 0) s = 0f;
            for (int j = 0; j < v; j++) {
                float g = a.get(base + j);
                if (j == t) g = g - 1f;
                a.set(base + j, g * s);
            }
        }
    }
}
