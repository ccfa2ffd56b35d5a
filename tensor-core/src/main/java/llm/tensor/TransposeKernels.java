package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposing a 16 × 16 block of floats in vector registers: the fast half of packing a linear layer's {@code Wᵀ}
 * for the matrix multiply ({@link Gemm#packB}), where a row of W must become a column of the packed strip.
 *
 * <p>The naive way, {@link #transposeNaive}, moves one float at a time. Written into a packed strip whose rows are
 * 128 bytes apart and which is larger than the L1 cache, that costs 0.65-0.95 ns a float on an AMD Zen 5 (the
 * longer W's rows, the slower: rows 12 KB apart all fall into the same cache set). With 256 tokens a batch, each
 * packed float is used for only 256 rows of the product, so that packing was a fifth of the forward products' time.
 *
 * <p>{@link #transpose16} loads 16 rows of 16 floats (16 full cache lines), transposes them in four butterfly
 * stages and stores 16 rows of 16. Stage {@code b} (8, 4, 2, 1) pairs row {@code i} with row {@code i + b} and
 * swaps their off-diagonal {@code b × b} blocks: row {@code i} keeps its lanes whose index has bit {@code b} clear
 * and takes row {@code i + b}'s lanes {@code j - b} into the others; row {@code i + b} gets the mirror image. After
 * the four stages lane {@code j} of row {@code i} holds the input's row {@code j}, lane {@code i}. Each swap is one
 * two-source permute ({@code selectFrom(v1, v2)}, {@code vpermt2ps} on AVX-512): 64 permutes for 256 floats.
 * Measured on that machine: 0.18 ns a float for rows of 768, 0.28 for rows of 3072.
 *
 * <p>Only AVX-512's 16 lanes are written out: with the 16 rows in named variables the JIT keeps them all in
 * registers (an array of vectors would live on the heap). {@link #ENABLED} is false elsewhere, and callers take
 * the naive loop. An 8 × 8 version for AVX2 was tried (three stages; AVX2 has no two-source permute, so each
 * {@code selectFrom} becomes two permutes and a blend): packing 0.40-0.70 ns a float against 0.51-0.95, and the
 * products with {@code -XX:UseAVX=2} 0.99-1.02 times as fast, so it was not kept.
 */
public final class TransposeKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    /** The block's side: 16 floats, one AVX-512 vector. */
    public static final int N = 16;
    /** Whether {@link #transpose16} may run: the vectors are 16 lanes wide and vectors are not switched off. */
    public static final boolean ENABLED = Vectorization.ENABLED && F.length() == N;

    // The permutes' lane indexes for each stage: below 16 a lane of the first row, from 16 on a lane of the second.
    private static final FloatVector LO8 = indexes(8, true), HI8 = indexes(8, false);
    private static final FloatVector LO4 = indexes(4, true), HI4 = indexes(4, false);
    private static final FloatVector LO2 = indexes(2, true), HI2 = indexes(2, false);
    private static final FloatVector LO1 = indexes(1, true), HI1 = indexes(1, false);

    private TransposeKernels() {}

    private static FloatVector indexes(int b, boolean low) {
        if (!ENABLED) return null;
        float[] idx = new float[N];
        for (int j = 0; j < N; j++) {
            boolean own = (j & b) == 0;
            idx[j] = low ? (own ? j : N + j - b) : (own ? j + b : N + j);
        }
        return FloatVector.fromArray(F, idx, 0);
    }

    /** Reference: {@code out[dst + j·ldOut + i] = in[src + i·ldIn + j]} for a {@code rows × cols} block. */
    public static void transposeNaive(int rows, int cols, float[] in, int src, int ldIn, float[] out, int dst, int ldOut) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) out[dst + j * ldOut + i] = in[src + i * ldIn + j];
        }
    }

    /** {@link #transposeNaive} of a 16 × 16 block, in registers (only when {@link #ENABLED}). */
    public static void transpose16(float[] in, int src, int ldIn, float[] out, int dst, int ldOut) {
        FloatVector r0 = row(in, src, ldIn, 0), r1 = row(in, src, ldIn, 1), r2 = row(in, src, ldIn, 2), r3 = row(in, src, ldIn, 3);
        FloatVector r4 = row(in, src, ldIn, 4), r5 = row(in, src, ldIn, 5), r6 = row(in, src, ldIn, 6), r7 = row(in, src, ldIn, 7);
        FloatVector r8 = row(in, src, ldIn, 8), r9 = row(in, src, ldIn, 9), r10 = row(in, src, ldIn, 10), r11 = row(in, src, ldIn, 11);
        FloatVector r12 = row(in, src, ldIn, 12), r13 = row(in, src, ldIn, 13), r14 = row(in, src, ldIn, 14), r15 = row(in, src, ldIn, 15);
        FloatVector t;
        // b = 8: rows i and i + 8
        t = LO8.selectFrom(r0, r8); r8 = HI8.selectFrom(r0, r8); r0 = t;
        t = LO8.selectFrom(r1, r9); r9 = HI8.selectFrom(r1, r9); r1 = t;
        t = LO8.selectFrom(r2, r10); r10 = HI8.selectFrom(r2, r10); r2 = t;
        t = LO8.selectFrom(r3, r11); r11 = HI8.selectFrom(r3, r11); r3 = t;
        t = LO8.selectFrom(r4, r12); r12 = HI8.selectFrom(r4, r12); r4 = t;
        t = LO8.selectFrom(r5, r13); r13 = HI8.selectFrom(r5, r13); r5 = t;
        t = LO8.selectFrom(r6, r14); r14 = HI8.selectFrom(r6, r14); r6 = t;
        t = LO8.selectFrom(r7, r15); r15 = HI8.selectFrom(r7, r15); r7 = t;
        // b = 4
        t = LO4.selectFrom(r0, r4); r4 = HI4.selectFrom(r0, r4); r0 = t;
        t = LO4.selectFrom(r1, r5); r5 = HI4.selectFrom(r1, r5); r1 = t;
        t = LO4.selectFrom(r2, r6); r6 = HI4.selectFrom(r2, r6); r2 = t;
        t = LO4.selectFrom(r3, r7); r7 = HI4.selectFrom(r3, r7); r3 = t;
        t = LO4.selectFrom(r8, r12); r12 = HI4.selectFrom(r8, r12); r8 = t;
        t = LO4.selectFrom(r9, r13); r13 = HI4.selectFrom(r9, r13); r9 = t;
        t = LO4.selectFrom(r10, r14); r14 = HI4.selectFrom(r10, r14); r10 = t;
        t = LO4.selectFrom(r11, r15); r15 = HI4.selectFrom(r11, r15); r11 = t;
        // b = 2
        t = LO2.selectFrom(r0, r2); r2 = HI2.selectFrom(r0, r2); r0 = t;
        t = LO2.selectFrom(r1, r3); r3 = HI2.selectFrom(r1, r3); r1 = t;
        t = LO2.selectFrom(r4, r6); r6 = HI2.selectFrom(r4, r6); r4 = t;
        t = LO2.selectFrom(r5, r7); r7 = HI2.selectFrom(r5, r7); r5 = t;
        t = LO2.selectFrom(r8, r10); r10 = HI2.selectFrom(r8, r10); r8 = t;
        t = LO2.selectFrom(r9, r11); r11 = HI2.selectFrom(r9, r11); r9 = t;
        t = LO2.selectFrom(r12, r14); r14 = HI2.selectFrom(r12, r14); r12 = t;
        t = LO2.selectFrom(r13, r15); r15 = HI2.selectFrom(r13, r15); r13 = t;
        // b = 1
        t = LO1.selectFrom(r0, r1); r1 = HI1.selectFrom(r0, r1); r0 = t;
        t = LO1.selectFrom(r2, r3); r3 = HI1.selectFrom(r2, r3); r2 = t;
        t = LO1.selectFrom(r4, r5); r5 = HI1.selectFrom(r4, r5); r4 = t;
        t = LO1.selectFrom(r6, r7); r7 = HI1.selectFrom(r6, r7); r6 = t;
        t = LO1.selectFrom(r8, r9); r9 = HI1.selectFrom(r8, r9); r8 = t;
        t = LO1.selectFrom(r10, r11); r11 = HI1.selectFrom(r10, r11); r10 = t;
        t = LO1.selectFrom(r12, r13); r13 = HI1.selectFrom(r12, r13); r12 = t;
        t = LO1.selectFrom(r14, r15); r15 = HI1.selectFrom(r14, r15); r14 = t;
        r0.intoArray(out, dst); r1.intoArray(out, dst + ldOut);
        r2.intoArray(out, dst + 2 * ldOut); r3.intoArray(out, dst + 3 * ldOut);
        r4.intoArray(out, dst + 4 * ldOut); r5.intoArray(out, dst + 5 * ldOut);
        r6.intoArray(out, dst + 6 * ldOut); r7.intoArray(out, dst + 7 * ldOut);
        r8.intoArray(out, dst + 8 * ldOut); r9.intoArray(out, dst + 9 * ldOut);
        r10.intoArray(out, dst + 10 * ldOut); r11.intoArray(out, dst + 11 * ldOut);
        r12.intoArray(out, dst + 12 * ldOut); r13.intoArray(out, dst + 13 * ldOut);
        r14.intoArray(out, dst + 14 * ldOut); r15.intoArray(out, dst + 15 * ldOut);
    }

    private static FloatVector row(float[] in, int src, int ld, int i) {
        return FloatVector.fromArray(F, in, src + i * ld);
    }
}
