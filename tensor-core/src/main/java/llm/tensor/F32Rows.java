package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** A {@link RowMatrix} of 32-bit floats, read in place from the array it was given (no copy). */
public final class F32Rows implements RowMatrix {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    private static final int L = F.length();

    private final float[] w;
    private final int offset, rows, cols;

    F32Rows(float[] w, int offset, int rows, int cols) {
        this.w = w;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return 4L * rows * cols; }

    @Override
    public void matVecScalar(float[] x, int xo, float[] y, int yo, int from, int to) {
        for (int r = from; r < to; r++) y[yo + r] = DotKernels.dotScalar(w, offset + r * cols, x, xo, cols);
    }

    @Override
    public void matVec(float[] x, int xo, float[] y, int yo, int from, int to) {
        if (!Vectorization.ENABLED) {
            matVecScalar(x, xo, y, yo, from, to);
            return;
        }
        int r = from;
        for (; r + ROW_BLOCK <= to; r += ROW_BLOCK) dot4(w, offset + r * cols, cols, x, xo, y, yo + r);
        for (; r < to; r++) y[yo + r] = dot(w, offset + r * cols, cols, x, xo);
    }

    /**
     * {@code DotKernels.dot} with {@link Vectorization#sumLanesOfFour}'s shorter reduction. (Each format keeps
     * its own copy of this loop: one shared loop calling a per-format widening would be a call the JIT cannot inline
     * once three formats have passed through it.)
     */
    private static float dot(float[] w, int base, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) acc = FloatVector.fromArray(F, w, base + i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        FloatVector zero = FloatVector.zero(F);
        float s = Vectorization.sumLanesOfFour(acc, zero, zero, zero).lane(0);   // as a row in a block of four sums
        for (; i < cols; i++) s += w[base + i] * x[xo + i];
        return s;
    }

    /** Four rows from {@code base} at once (four weight streams in flight, x loaded once), each with {@link #dot}'s arithmetic. */
    private static void dot4(float[] w, int base, int cols, float[] x, int xo, float[] y, int at) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromArray(F, w, base + i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, base + cols + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, base + 2 * cols + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, base + 3 * cols + i).fma(xv, a3);
        }
        FloatVector sums = Vectorization.sumLanesOfFour(a0, a1, a2, a3);
        float s0 = sums.lane(0), s1 = sums.lane(L / 4), s2 = sums.lane(L / 2), s3 = sums.lane(3 * L / 4);
        for (; i < cols; i++) {
            float xi = x[xo + i];
            s0 += w[base + i] * xi;
            s1 += w[base + cols + i] * xi;
            s2 += w[base + 2 * cols + i] * xi;
            s3 += w[base + 3 * cols + i] * xi;
        }
        y[at] = s0;
        y[at + 1] = s1;
        y[at + 2] = s2;
        y[at + 3] = s3;
    }

    @Override
    public void row(int r, float[] dst, int dstOffset) {
        System.arraycopy(w, offset + r * cols, dst, dstOffset, cols);
    }
}
