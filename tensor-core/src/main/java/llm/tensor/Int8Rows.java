package llm.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A {@link RowMatrix} of int8 weights with one float scale per row (symmetric, absmax): row {@code r} keeps
 * {@code q = round(w / s_r)} in {@code [-127, 127]} with {@code s_r = max|w(r, ·)| / 127}, and stands for {@code q ·
 * s_r}. The product sums {@code q · x} in float and scales once per row: {@code y_r = s_r · Σ q_i x_i}.
 */
public final class Int8Rows implements RowMatrix {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    /** As many bytes as {@code F} has floats: a quarter of its width. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    private static final int L = F.length();

    private final byte[] q;
    private final float[] scale;
    private final int rows, cols;

    private Int8Rows(byte[] q, float[] scale, int rows, int cols) {
        this.q = q;
        this.scale = scale;
        this.rows = rows;
        this.cols = cols;
    }

    static Int8Rows quantize(float[] data, int offset, int rows, int cols) {
        byte[] q = new byte[rows * cols];
        float[] scale = new float[rows];
        for (int r = 0; r < rows; r++) {
            int base = offset + r * cols;
            float max = 0f;
            for (int i = 0; i < cols; i++) max = Math.max(max, Math.abs(data[base + i]));
            if (!Float.isFinite(max)) throw new IllegalArgumentException("Int8Rows: row " + r + " holds a non-finite weight");
            scale[r] = max / 127f;
            if (max == 0f) continue;                       // an all-zero row stays zero
            float inv = 127f / max;
            for (int i = 0; i < cols; i++) q[r * cols + i] = (byte) Math.max(-127, Math.min(127, Math.round(data[base + i] * inv)));
        }
        return new Int8Rows(q, scale, rows, cols);
    }

    /** Row {@code r}'s scale: its weights are {@code quantized(r, i) · scale(r)} (a device keeps its own copy of both). */
    public float scale(int r) {
        return scale[r];
    }

    /** The integer that stands for weight {@code (r, i)}, in -127..127. */
    public byte quantized(int r, int i) {
        return q[r * cols + i];
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return (long) rows * cols + 4L * rows; }

    @Override
    public void matVecScalar(float[] x, int xo, float[] y, int yo, int from, int to) {
        for (int r = from; r < to; r++) {
            float s = 0f;
            for (int i = 0, base = r * cols; i < cols; i++) s += q[base + i] * x[xo + i];
            y[yo + r] = s * scale[r];
        }
    }

    @Override
    public void matVec(float[] x, int xo, float[] y, int yo, int from, int to) {
        if (!Vectorization.ENABLED) {
            matVecScalar(x, xo, y, yo, from, to);
            return;
        }
        int r = from;
        for (; r + ROW_BLOCK <= to; r += ROW_BLOCK) dot4(q, scale, cols, x, xo, r, y, yo + r);
        for (; r < to; r++) y[yo + r] = dot(q, scale, cols, x, xo, r);
    }

    /** {@code L} weights from {@code q[at]} as floats. */
    private static FloatVector widen(byte[] q, int at) {
        return (FloatVector) ByteVector.fromArray(B, q, at).convertShape(VectorOperators.B2F, F, 0);
    }

    private static float dot(byte[] q, float[] scale, int cols, float[] x, int xo, int r) {
        int base = r * cols;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) acc = widen(q, base + i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        FloatVector zero = FloatVector.zero(F);
        float s = Vectorization.sumLanesOfFour(acc, zero, zero, zero).lane(0);   // as a row in a block of four sums
        for (; i < cols; i++) s += q[base + i] * x[xo + i];
        return s * scale[r];
    }

    /** Rows {@code r .. r+3} at once, each with {@link #dot}'s arithmetic. */
    private static void dot4(byte[] q, float[] scale, int cols, float[] x, int xo, int r, float[] y, int at) {
        int base = r * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = widen(q, base + i).fma(xv, a0);
            a1 = widen(q, base + cols + i).fma(xv, a1);
            a2 = widen(q, base + 2 * cols + i).fma(xv, a2);
            a3 = widen(q, base + 3 * cols + i).fma(xv, a3);
        }
        FloatVector sums = Vectorization.sumLanesOfFour(a0, a1, a2, a3);
        float s0 = sums.lane(0), s1 = sums.lane(L / 4), s2 = sums.lane(L / 2), s3 = sums.lane(3 * L / 4);
        for (; i < cols; i++) {
            float xi = x[xo + i];
            s0 += q[base + i] * xi;
            s1 += q[base + cols + i] * xi;
            s2 += q[base + 2 * cols + i] * xi;
            s3 += q[base + 3 * cols + i] * xi;
        }
        y[at] = s0 * scale[r];
        y[at + 1] = s1 * scale[r + 1];
        y[at + 2] = s2 * scale[r + 2];
        y[at + 3] = s3 * scale[r + 3];
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < cols; i++) dst[offset + i] = q[r * cols + i] * scale[r];
    }
}
