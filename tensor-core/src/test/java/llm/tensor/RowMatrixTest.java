package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

/** The three weight formats of generation: each kernel against its plain loop, and what each format keeps of a weight. */
class RowMatrixTest {
    private static final Parallelism TWO = new Parallelism(2);

    private static float[] random(long seed, int n) {
        return NDArray.randn(new SeededRandom(seed), n).toArray();
    }

    /** Shapes whose rows are not a multiple of the 4-row block and whose columns are not a multiple of the vector width. */
    @Test
    void everyKernelMatchesItsPlainLoopAndThreadsDoNotChangeTheResult() {
        qt().withExamples(120).forAll(integers().between(1, 41), integers().between(1, 150), integers().between(0, 2), longs().all())
                .checkAssert((rows, cols, f, seed) -> {
                    WeightFormat format = WeightFormat.values()[f];
                    float[] data = random(seed, 3 + rows * cols), x = random(seed + 1, cols + 2);
                    RowMatrix m = format.store(data, 3, rows, cols);
                    float[] ref = new float[rows + 1], fast = new float[rows + 1], split = new float[rows + 1];
                    m.matVecScalar(x, 2, ref, 1, 0, rows);
                    m.matVec(x, 2, fast, 1, 0, rows);
                    m.matVec(x, 2, split, 1, TWO);
                    for (int r = 0; r <= rows; r++) {
                        assertEquals(ref[r], fast[r], 1e-5f * (cols + 1), format + " row " + r);
                        assertEquals(fast[r], split[r], 0f, format + " row " + r + " on two threads");
                    }
                    // the kernel computes with exactly the weights row() reports
                    float[] row = new float[cols];
                    for (int r = 0; r < rows; r++) {
                        m.row(r, row, 0);
                        assertEquals(DotKernels.dotScalar(row, 0, x, 2, cols), ref[r + 1], 1e-5f * (cols + 1), format + " row() " + r);
                    }
                });
    }

    @Test
    void fp32ReadsTheArrayInPlace() {
        float[] data = {9, 1, 2, 3, 4, 5, 6};
        RowMatrix m = WeightFormat.FP32.store(data, 1, 2, 3);
        float[] y = new float[2];
        m.matVec(new float[] {1, 0, -1}, 0, y, 0, Parallelism.SINGLE);
        assertEquals(-2f, y[0]);
        assertEquals(-2f, y[1]);
        data[1] = 11;                                      // a change to the array shows: no copy was made
        m.matVec(new float[] {1, 0, -1}, 0, y, 0, Parallelism.SINGLE);
        assertEquals(8f, y[0]);
    }

    /** bfloat16 keeps 8 significant bits: every weight within half a unit of its 8th bit, ties to even. */
    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1f, Bf16Rows.fromBf16(Bf16Rows.toBf16(1f)));
        assertEquals(1f, Bf16Rows.fromBf16(Bf16Rows.toBf16(1f + 0x1p-8f)), "a tie rounds to the even mantissa");
        assertEquals(1f + 0x1p-6f, Bf16Rows.fromBf16(Bf16Rows.toBf16(1f + 0x1p-7f + 0x1p-8f)), "a tie above an odd mantissa rounds up");
        assertEquals(1f + 0x1p-7f, Bf16Rows.fromBf16(Bf16Rows.toBf16(1f + 0x1p-7f + 0x1p-9f)));
        assertEquals(-3.140625f, Bf16Rows.fromBf16(Bf16Rows.toBf16(-3.14159f)));
        assertTrue(Float.isNaN(Bf16Rows.fromBf16(Bf16Rows.toBf16(Float.NaN))));
        assertEquals(Float.POSITIVE_INFINITY, Bf16Rows.fromBf16(Bf16Rows.toBf16(Float.POSITIVE_INFINITY)));
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            float[] data = random(seed, 64);
            RowMatrix m = WeightFormat.BF16.store(data, 0, 4, 16);
            float[] row = new float[16];
            for (int r = 0; r < 4; r++) {
                m.row(r, row, 0);
                for (int i = 0; i < 16; i++) assertEquals(data[r * 16 + i], row[i], Math.abs(data[r * 16 + i]) * 0x1p-8f, "weight " + i);
            }
        });
    }

    /** int8 with a scale per row: every weight within half a step of {@code max|row| / 127}, the largest exact. */
    @Test
    void int8KeepsEachRowWithinHalfAStep() {
        qt().withExamples(200).forAll(integers().between(1, 40), longs().all()).checkAssert((cols, seed) -> {
            float[] data = random(seed, 3 * cols);
            for (int i = 0; i < cols; i++) data[2 * cols + i] = 0f; // an all-zero row
            RowMatrix m = WeightFormat.INT8.store(data, 0, 3, cols);
            float[] row = new float[cols];
            for (int r = 0; r < 3; r++) {
                float max = 0;
                for (int i = 0; i < cols; i++) max = Math.max(max, Math.abs(data[r * cols + i]));
                m.row(r, row, 0);
                for (int i = 0; i < cols; i++) assertEquals(data[r * cols + i], row[i], max / 127f * 0.5001f, "row " + r + " weight " + i);
            }
        });
    }

    @Test
    void badShapesAndNamesAreClearErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.BF16.store(new float[10], 2, 3, 3));
        assertTrue(e.getMessage().contains("(3, 3) at offset 2 exceeds an array of 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("fp8"));
        assertEquals("unknown weight format 'fp8': use fp32, bf16 or int8", e.getMessage());
        assertEquals(WeightFormat.BF16, WeightFormat.parse("BF16"));
        assertEquals("int8", WeightFormat.INT8.toString());
        e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.INT8.store(new float[] {1, Float.NaN}, 0, 1, 2));
        assertTrue(e.getMessage().contains("row 0 holds a non-finite weight"), e.getMessage());
    }
}
