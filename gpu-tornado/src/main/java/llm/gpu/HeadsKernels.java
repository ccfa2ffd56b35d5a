package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The reshapes around attention (Book §3.6, {@code view(b, t, heads, hs).transpose(1, 2)} and back) and the
 * position embeddings' add, as one-thread-per-number kernels: {@code (B·T, C)} rows to {@code (B·H, T, hs)} heads,
 * heads back to rows, and {@code x[b][t] += wpe[t]}.
 */
public final class HeadsKernels {
    private HeadsKernels() {}

    public static void split(FloatArray a, int rows, int heads, int b, int t, int h, int hs) {
        for (@Parallel int x = 0; x < b * t * h * hs; x++) {
            int d = x % hs, rest = x / hs;
            int ti = rest % t, bh = rest / t;
            int bi = bh / h, hi = bh - bi * h;
            a.set(heads + x, a.get(rows + (bi * t + ti) * h * hs + hi * hs + d));
        }
    }

    public static void merge(FloatArray a, int heads, int rows, int b, int t, int h, int hs) {
        for (@Parallel int x = 0; x < b * t * h * hs; x++) {
            int d = x % hs, rest = x / hs;
            int ti = rest % t, bh = rest / t;
            int bi = bh / h, hi = bh - bi * h;
            a.set(rows + (bi * t + ti) * h * hs + hi * hs + d, a.get(heads + x));
        }
    }

    /** {@code x[(b, t)][i] += wpe[t][i]} for rows of {@code c} numbers. */
    public static void addPositions(FloatArray x, int xOff, FloatArray wpe, int wpeOff, int rows, int t, int c) {
        for (@Parallel int i = 0; i < rows * c; i++) {
            int r = i / c;
            x.set(xOff + i, x.get(xOff + i) + wpe.get(wpeOff + (r % t) * c + (i - r * c)));
        }
    }
}
