package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two level-1 BLAS kernels every other kernel builds on: the dot product {@code Σ x_i·y_i} and {@code
 * axpy}, {@code y += a·x}, over contiguous runs of two arrays. The matrix-vector products of generation, the
 * fused attention and the few-row matrix multiply all call these, so there is one of each in the project.
 *
 * <p>{@link #dotScalar} and {@link #axpyScalar} are the plain loops; {@link #dot} and {@link #axpy} run the
 * Vector API version (or the plain loop under {@code -Dllm.scalar=true}).
 */
public final class DotKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    private static final int L = F.length();

    private DotKernels() {}

    /** Reference: {@code Σ x[xo+i]·y[yo+i]} for i in [0, n), accumulated in a float. */
    public static float dotScalar(float[] x, int xo, float[] y, int yo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** {@link #dotScalar}, or {@link #dotVector} unless the scalar kernels were asked for. */
    public static float dot(float[] x, int xo, float[] y, int yo, int n) {
        return Vectorization.ENABLED ? dotVector(x, xo, y, yo, n) : dotScalar(x, xo, y, yo, n);
    }

    /**
     * The dot product with one vector accumulator, lanes added in a fixed order. In generation this reads a
     * weight row from memory, which is slower than the fused multiply-add chain, so one accumulator costs
     * nothing; and it is exactly the per-row arithmetic of {@link #dot4}, so a result does not depend on
     * which of the two computed it.
     */
    public static float dotVector(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            acc = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc);
        }
        float s = Vectorization.sumLanes(acc);
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /**
     * Four dot products of {@code x} with the rows of y starting at {@code yo}, {@code yo + ys}, ... at once:
     * four memory streams in flight instead of one (generation is bound by reading the weights), x loaded once
     * for the four. Each row's arithmetic is {@link #dotVector}'s.
     */
    public static void dot4(float[] x, int xo, float[] y, int yo, int ys, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = xv.fma(FloatVector.fromArray(F, y, yo + i), a0);
            a1 = xv.fma(FloatVector.fromArray(F, y, yo + ys + i), a1);
            a2 = xv.fma(FloatVector.fromArray(F, y, yo + 2 * ys + i), a2);
            a3 = xv.fma(FloatVector.fromArray(F, y, yo + 3 * ys + i), a3);
        }
        float s0 = Vectorization.sumLanes(a0), s1 = Vectorization.sumLanes(a1), s2 = Vectorization.sumLanes(a2), s3 = Vectorization.sumLanes(a3);
        for (; i < n; i++) {
            float xi = x[xo + i];
            s0 += xi * y[yo + i];
            s1 += xi * y[yo + ys + i];
            s2 += xi * y[yo + 2 * ys + i];
            s3 += xi * y[yo + 3 * ys + i];
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /** Reference: {@code y[yo+i] += a·x[xo+i]} for i in [0, n). */
    public static void axpyScalar(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    /** {@link #axpyScalar}, or its Vector API version (one fused multiply-add per lane) unless scalar kernels were asked for. */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (Vectorization.ENABLED) {
            FloatVector va = FloatVector.broadcast(F, a);
            for (int end = F.loopBound(n); i < end; i += L) {
                FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }
}
