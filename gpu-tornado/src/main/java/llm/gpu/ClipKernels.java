package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Gradient-norm clipping on the device (Appendix D.3; CPU reference {@code GradientClipping.clipGlobalNorm}): the
 * sum of squares in fixed chunks, one thread per chunk; the chunks' sums added in order by one thread, which also
 * computes the factor {@code maxNorm / (norm + 1e-6)} (1 when the norm is within bounds); then every gradient scaled.
 * Fixed chunks and a fixed order keep the result independent of how the device schedules threads.
 */
public final class ClipKernels {
    /** Numbers per thread in the first pass. */
    public static final int CHUNK = 4096;

    private ClipKernels() {}

    /** {@code partial[b] = Σ g[i]²} over chunk {@code b}. */
    public static void sumSquares(FloatArray g, FloatArray partial, int n) {
        for (@Parallel int b = 0; b < (n + CHUNK - 1) / CHUNK; b++) {
            float s = 0f;
            int end = TornadoMath.min(n, (b + 1) * CHUNK);
            for (int i = b * CHUNK; i < end; i++) s += g.get(i) * g.get(i);
            partial.set(b, s);
        }
    }

    /**
     * One thread: {@code result[0]} = the norm, {@code result[1]} = the factor to scale the gradients by, for the
     * largest norm allowed in {@code result[2]}, which the host sets (a step may clip or not: Appendix D clips only
     * after the warmup).
     */
    public static void normAndFactor(FloatArray partial, FloatArray result, int chunks) {
        for (@Parallel int once = 0; once < 1; once++) {
            float total = 0f;
            for (int b = 0; b < chunks; b++) total += partial.get(b);
            float norm = TornadoMath.sqrt(total);
            float factor = result.get(2) / (norm + 1e-6f);
            result.set(0, norm);
            result.set(1, factor < 1f ? factor : 1f);
        }
    }

    /** {@code g *= result[1]}. */
    public static void scale(FloatArray g, FloatArray result, int n) {
        for (@Parallel int i = 0; i < n; i++) g.set(i, g.get(i) * result.get(1));
    }
}
