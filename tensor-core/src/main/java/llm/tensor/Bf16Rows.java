package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A {@link RowMatrix} of bfloat16 weights: each weight keeps the top 16 bits of its float (sign, 8 exponent bits, 7
 * mantissa bits), rounded to nearest-even, so it has float's range and about 3 significant digits. Widening back is
 * exact and free: the 16 bits shifted left by 16 are a float.
 */
public final class Bf16Rows implements RowMatrix {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    /** As many shorts as {@code F} has floats: half its width. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int L = F.length();

    private final short[] w;
    private final int rows, cols;

    private Bf16Rows(short[] w, int rows, int cols) {
        this.w = w;
        this.rows = rows;
        this.cols = cols;
    }

    static Bf16Rows quantize(float[] data, int offset, int rows, int cols) {
        short[] w = new short[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = toBf16(data[offset + i]);
        return new Bf16Rows(w, rows, cols);
    }

    /** {@code f} rounded to the nearest bfloat16 (ties to even); a NaN stays a NaN. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float a bfloat16 stands for, exactly. */
    public static float fromBf16(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return 2L * rows * cols; }

    @Override
    public void matVecScalar(float[] x, int xo, float[] y, int yo, int from, int to) {
        for (int r = from; r < to; r++) {
            float s = 0f;
            for (int i = 0, base = r * cols; i < cols; i++) s += fromBf16(w[base + i]) * x[xo + i];
            y[yo + r] = s;
        }
    }

    @Override
    public void matVec(float[] x, int xo, float[] y, int yo, int from, int to) {
        if (!Vectorization.ENABLED) {
            matVecScalar(x, xo, y, yo, from, to);
            return;
        }
        int r = from;
        for (; r + ROW_BLOCK <= to; r += ROW_BLOCK) dot4(w, cols, x, xo, r * cols, y, yo + r);
        for (; r < to; r++) y[yo + r] = dot(w, cols, x, xo, r * cols);
    }

    /** {@code L} weights from {@code w[at]} widened to floats: sign-extended to int, shifted into the top half. */
    private static FloatVector widen(short[] w, int at) {
        IntVector bits = (IntVector) ShortVector.fromArray(S, w, at).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float dot(short[] w, int cols, float[] x, int xo, int base) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) acc = widen(w, base + i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        FloatVector zero = FloatVector.zero(F);
        float s = Vectorization.sumLanesOfFour(acc, zero, zero, zero).lane(0);   // as a row in a block of four sums
        for (; i < cols; i++) s += fromBf16(w[base + i]) * x[xo + i];
        return s;
    }

    /** Four rows from {@code base} at once, each with {@link #dot}'s arithmetic. */
    private static void dot4(short[] w, int cols, float[] x, int xo, int base, float[] y, int at) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = F.loopBound(cols); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = widen(w, base + i).fma(xv, a0);
            a1 = widen(w, base + cols + i).fma(xv, a1);
            a2 = widen(w, base + 2 * cols + i).fma(xv, a2);
            a3 = widen(w, base + 3 * cols + i).fma(xv, a3);
        }
        FloatVector sums = Vectorization.sumLanesOfFour(a0, a1, a2, a3);
        float s0 = sums.lane(0), s1 = sums.lane(L / 4), s2 = sums.lane(L / 2), s3 = sums.lane(3 * L / 4);
        for (; i < cols; i++) {
            float xi = x[xo + i];
            s0 += fromBf16(w[base + i]) * xi;
            s1 += fromBf16(w[base + cols + i]) * xi;
            s2 += fromBf16(w[base + 2 * cols + i]) * xi;
            s3 += fromBf16(w[base + 3 * cols + i]) * xi;
        }
        y[at] = s0;
        y[at + 1] = s1;
        y[at + 2] = s2;
        y[at + 3] = s3;
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < cols; i++) dst[offset + i] = fromBf16(w[r * cols + i]);
    }
}
