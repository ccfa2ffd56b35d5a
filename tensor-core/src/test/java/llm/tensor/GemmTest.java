package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The fast matrix multiply against the triple loop, on shapes that are not multiples of the tile sizes. */
class GemmTest {

    /** Relative tolerance: float sums of k products, added in a different order. */
    private static void assertClose(float[] expected, float[] actual, int k) {
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-5f * k + 1e-5f * Math.abs(expected[i]);
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    private static void check(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, int threads) {
        SeededRandom rng = new SeededRandom(m * 31L + n * 7L + k);
        float[] a = NDArray.randn(rng, m * k + 3).toArray();
        float[] b = NDArray.randn(rng, k * n + 5).toArray();
        // A stored (m, k) or (k, m); B stored (k, n) or (n, k); both at an offset to catch offset bugs.
        int aRs = transA ? 1 : k, aCs = transA ? m : 1;
        int bRs = transB ? 1 : n, bCs = transB ? k : 1;
        float[] expected = NDArray.randn(rng, m * n).toArray();
        float[] actual = expected.clone();
        Gemm.gemmNaive(m, n, k, a, 3, aRs, aCs, b, 5, bRs, bCs, expected, 0, n, accumulate);
        Gemm.gemm(m, n, k, a, 3, aRs, aCs, b, 5, bRs, bCs, actual, 0, n, accumulate, new Parallelism(threads));
        assertClose(expected, actual, k);
    }

    @Test
    void fastKernelMatchesNaiveOnRandomShapes() {
        qt().withExamples(60).forAll(integers().between(1, 150), integers().between(1, 150), integers().between(1, Gemm.KC + 100),
                        integers().between(0, 15))
                .checkAssert((m, n, k, flags) -> check(m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0 ? 2 : 1));
    }

    @Test
    void blockEdgesAndLargeDepth() {
        // k crosses the KC block; n crosses a strip; m crosses the MC block.
        check(Gemm.MC + 7, 2 * Gemm.nr() + 3, Gemm.KC * 2 + 17, false, true, false, 2);
        check(Gemm.MC + 7, 2 * Gemm.nr() + 3, Gemm.KC * 2 + 17, true, false, true, 2);
        check(1, 1000, 777, false, true, false, 2);  // one row: the generation case
        check(3, 1000, 777, false, false, true, 2);
    }

    @Test
    void packingATransposedWeightGivesEachStripItsColumns() {
        // A linear layer's Wᵀ (columns contiguous, rows bCs apart): on AVX-512 whole 16 × 16 blocks go through
        // TransposeKernels, the rest a float at a time; either way strip element (p, j) is B[p, j], and 0 past the edge.
        int nr = Gemm.nr();
        for (int kc : new int[] {16, 37, Gemm.KC}) {
            for (int cols : new int[] {nr, nr - 5, 1}) {
                int bCs = kc + 9;                                    // W's row length: longer than the block
                float[] b = NDArray.randn(new SeededRandom(kc * 100L + cols), bCs * nr + 4).toArray();
                float[] packed = new float[kc * nr + 8];
                Arrays.fill(packed, Float.NaN);
                Gemm.packB(kc, cols, b, 4, 1, bCs, packed, 8);
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < nr; j++) {
                        float expected = j < cols ? b[4 + j * bCs + p] : 0f;
                        assertEquals(expected, packed[8 + p * nr + j], "kc " + kc + ", cols " + cols + ", element (" + p + ", " + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void transposeInRegistersMatchesTheNaiveLoop() {
        assumeTrue(TransposeKernels.ENABLED, "needs 16-lane vectors (AVX-512)");
        int n = TransposeKernels.N;
        float[] in = NDArray.randn(new SeededRandom(5), 3 + 40 * n).toArray();
        float[] expected = new float[7 + 24 * n], actual = new float[7 + 24 * n];
        TransposeKernels.transposeNaive(n, n, in, 3, 40, expected, 7, 24);
        TransposeKernels.transpose16(in, 3, 40, actual, 7, 24);
        assertArrayEquals(expected, actual);
    }

    @Test
    void matmulBroadcastsBatchesAndReadsTransposedViews() {
        SeededRandom rng = new SeededRandom(1);
        NDArray a = NDArray.randn(rng, 2, 1, 5, 7);
        NDArray w = NDArray.randn(rng, 3, 9, 7);              // (batch 3, out 9, in 7)
        NDArray out = a.matmul(w.transpose(-1, -2));          // (2, 3, 5, 9)
        assertEquals(4, out.rank());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                NDArray ref = MatMul.matmulNaive(a.select(0, i).select(0, 0), w.select(0, j).transpose(0, 1));
                assertClose(ref.toArray(), out.select(0, i).select(0, j).toArray(), 7);
            }
        }
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(2, 4, 768).matmul(NDArray.zeros(512, 768)));
        assertEquals("matmul: a (2, 4, 768) and b (512, 768) disagree: a.dim(-1)=768, b.dim(-2)=512", e.getMessage());
    }
}
