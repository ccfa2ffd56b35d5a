package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * General matrix multiply, {@code C = A·B} (or {@code C += A·B}): the kernel that dominates the time of
 * every layer of a GPT (Book §3.3, Appendix A.2).
 *
 * <p>Operands are described by strides, so transposed views need no copy: {@code A[i,k]} is at {@code a[aOff
 * + i*aRs + k*aCs]} and {@code B[k,j]} at {@code b[bOff + k*bRs + j*bCs]}. A linear layer's {@code x·Wᵀ} is
 * {@code W} read with {@code bRs = 1, bCs = in}, and both products of its backward pass are the same kernel
 * with other strides. {@code C} is row-major with row stride {@code ldc}.
 *
 * <p>Two implementations with the same contract:
 * <ul>
 *   <li>{@link #gemmNaive}: the textbook triple loop, the reference that tests compare against;</li>
 *   <li>{@link #gemm}: the fast kernel, organised as in BLIS (Van Zee and van de Geijn, "BLIS: A Framework for
 *   Rapidly Instantiating BLAS Functionality", 2015). The k dimension is cut into blocks of {@link #KC}; for
 *   each block a panel of B is copied ("packed") into strips of {@link #nr()} columns, and blocks of
 *   {@link #MC} rows of A into strips of {@link #MR} rows, both laid out in the exact order the inner loop
 *   reads them. The micro-kernel then keeps an {@code MR × nr} tile of C in vector registers (8 on AVX2)
 *   and updates it with one fused multiply-add per vector per k step. The threads of a {@link Parallelism}
 *   each take a share of the columns of C (or of its rows, when it has few columns) and run all of this on
 *   their share with their own packed buffers, so no thread waits for another.</li>
 * </ul>
 * With one or few rows (the token-by-token generation case) packing does not pay: {@link #gemmFewRows} uses
 * dot products or row updates directly.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;
    private static final int L = F.length();
    /**
     * Rows of the C tile held in registers, chosen at start-up for the vector registers the CPU has.
     *
     * <p>AVX2 (8 lanes, 16 ymm registers): 4 rows × 2 vectors = 8 accumulators. BLIS uses 6 rows there (12
     * accumulators), but HotSpot's C2 schedules all broadcasts of A at the top of the loop body; with 6 or even 5
     * rows the accumulators, the broadcasts and the two B vectors need more than the 16 registers, one
     * accumulator is spilled to the stack, and the loop runs at a third to a half of its speed (measured on AMD
     * Zen 3: 31-44 GFLOP/s against 90 for 4 rows). With 4 rows, 8 + 4 + 2 = 14 fit.
     *
     * <p>AVX-512 (16 lanes, 32 zmm registers): 6 rows × 2 vectors, 12 accumulators + 6 broadcasts + 2 B vectors
     * = 20 registers. Twelve independent accumulators keep both FMA units busy through the FMA's latency, and each
     * step loads two B vectors and six numbers of A for 12 fused multiply-adds instead of 8. Measured on an AMD
     * EPYC with AVX-512 (session 6), one thread, GPT-2's products: 145-173 GFLOP/s against 113-125 with 4 rows.
     * 8 rows (16 accumulators) ran at 75: C2 no longer inlined every vector call of the larger loop, and vectors
     * it cannot inline live on the heap. {@code -Dllm.gemm.mr=4} overrides the choice (to compare).
     */
    static final int MR = Integer.getInteger("llm.gemm.mr", L >= 16 ? 6 : 4);
    /** Columns of the C tile: two vectors. */
    static final int NR = 2 * L;
    /**
     * Depth of one packed block: a KC×NR strip of B (32 KB) is read from the L1/L2 caches by every micro-kernel
     * call of a block of rows. 512 rather than 256 halves the calls and the passes over C; measured against
     * numpy on the same shapes, seconds apart, on Zen 3: 0.72-0.91 of OpenBLAS's speed instead of 0.55-0.84
     * on one thread (256, 384, 512 and 768 were tried).
     */
    static final int KC = 512;
    /** Rows of A per block: MC×KC floats (about 300 KB) stay in one core's L2 cache. */
    static final int MC = 36 * MR;
    /** Columns of B per packed panel: KC×NC floats (about 8 MB) stay in the shared L3 cache. */
    static final int NC = 256 * NR;
    /** Products smaller than this many floating-point operations run on the calling thread alone. */
    static final double PARALLEL_MIN_FLOPS = 6e6;
    /** Below this many rows, packing costs more than it saves. */
    static final int FEW_ROWS = 2 * MR;

    private Gemm() {}

    private static volatile boolean warmedUp;

    /**
     * Runs every branch of the kernels (full and edge tiles, overwriting and accumulating, both packing paths,
     * transposed operands, the few-rows paths) on small matrices before the first real multiply.
     *
     * <p>Why: HotSpot compiles a method for the branches it has seen run. If the first products all have full
     * tiles, the compiled micro-kernel has no code for an edge tile; the first edge tile then throws it back to
     * the interpreter, where Vector API operations are plain Java objects and a hundred times slower, until it is
     * compiled again. With both cores busy multiplying, that recompilation can wait for minutes: the first
     * training step of GPT-2 124M took 16 s in some runs and 150 s in others. Warming up on every branch first
     * makes the compiled code complete. Costs a fraction of a second, once per JVM.
     */
    static void warmUp() {
        synchronized (Gemm.class) {
            if (warmedUp) return;
            int m = 13, n = 37, k = KC + 44;                    // edge rows and columns, two KC blocks
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.25f - 0.75f;
            for (int i = 0; i < b.length; i++) b[i] = (i % 5) * 0.5f - 1f;
            for (int round = 0; round < 40; round++) {
                for (int layout = 0; layout < 4; layout++) {
                    boolean aT = (layout & 1) != 0, bT = (layout & 2) != 0;
                    int aRs = aT ? 1 : k, aCs = aT ? m : 1, bRs = bT ? 1 : n, bCs = bT ? k : 1;
                    gemmBlocked(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, false);
                    gemmBlocked(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, true);
                    gemmBlocked(8, 32, 16, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, round % 2 == 0); // full tiles only
                    gemmFewRows(3, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, round % 2 == 0, Parallelism.SINGLE);
                }
            }
            warmedUp = true;
        }
    }

    /** Number of columns of the micro-kernel's tile on this CPU (16 with AVX2, 32 with AVX-512). */
    public static int nr() {
        return NR;
    }

    /** Reference: the triple loop, accumulating each dot product in a float. */
    public static void gemmNaive(int m, int n, int k,
                                 float[] a, int aOff, int aRs, int aCs,
                                 float[] b, int bOff, int bRs, int bCs,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /** The fast kernel: same contract as {@link #gemmNaive}; uses the scalar reference when vectors are off. */
    public static void gemm(int m, int n, int k,
                            float[] a, int aOff, int aRs, int aCs,
                            float[] b, int bOff, int bRs, int bCs,
                            float[] c, int cOff, int ldc, boolean accumulate, Parallelism par) {
        if (!Vectorization.ENABLED) {
            gemmNaive(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
            return;
        }
        if (!warmedUp) warmUp();
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        if (m < FEW_ROWS) {
            gemmFewRows(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, par);
            return;
        }
        // Threads split C into column strips or row strips; each runs the whole blocked algorithm on its
        // part with its own packed copies, so no thread ever waits for another. Splitting columns makes every
        // thread pack all of A (M×K), splitting rows all of B (K×N): split the way that copies less.
        // (Blocks of rows claimed as tasks, with the packing of B shared, were tried: no faster in comparisons
        // with numpy seconds apart, steadier on large products, slower on small ones, and more code.)
        // A product of a few million operations is done before a helper thread would have woken up: measured
        // on Zen 3, 2 threads lose below about 5 MFLOP (128³: 41 against 51 GFLOP/s) and win from 8 (256×64×256).
        int threads = 2.0 * m * n * k < PARALLEL_MIN_FLOPS ? 1 : par.threads();
        boolean splitRows = m > n && m >= threads * 4 * MR;
        if (threads > 1 && !splitRows && n >= threads * 4 * NR) {
            int cols = roundUp(ceilDiv(n, threads), NR);
            par.forEach(ceilDiv(n, cols), t -> {
                int j0 = t * cols;
                gemmBlocked(m, Math.min(cols, n - j0), k, a, aOff, aRs, aCs, b, bOff + j0 * bCs, bRs, bCs,
                        c, cOff + j0, ldc, accumulate);
            });
        } else if (threads > 1 && m >= threads * 4 * MR) {
            int rows = roundUp(ceilDiv(m, threads), MR);
            par.forEach(ceilDiv(m, rows), t -> {
                int i0 = t * rows;
                gemmBlocked(Math.min(rows, m - i0), n, k, a, aOff + i0 * aRs, aRs, aCs, b, bOff, bRs, bCs,
                        c, cOff + i0 * ldc, ldc, accumulate);
            });
        } else {
            gemmBlocked(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
        }
    }

    /**
     * The blocked algorithm on one thread: for each panel of NC columns and each block of KC depth, pack
     * the panel of B once, then for each block of MC rows pack A and run the micro-kernel over every
     * MR × NR tile.
     */
    static void gemmBlocked(int m, int n, int k,
                            float[] a, int aOff, int aRs, int aCs,
                            float[] b, int bOff, int bRs, int bCs,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        int kcMax = Math.min(KC, k);
        float[][] buffers = PACKING_BUFFERS.get();
        float[] packedB = grown(buffers, 0, roundUp(Math.min(NC, n), NR) * kcMax);
        float[] packedA = grown(buffers, 1, roundUp(Math.min(MC, m), MR) * kcMax);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int strips = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean overwrite = pc == 0 && !accumulate;
                if (bCs == 1) {
                    packBRows(kc, nc, b, bOff + pc * bRs + jc, bRs, packedB);
                } else {
                    for (int s = 0; s < strips; s++) {
                        packB(kc, Math.min(NR, nc - s * NR), b, bOff + pc * bRs + (jc + s * NR) * bCs, bRs, bCs, packedB, s * NR * kc);
                    }
                }
                for (int ic = 0; ic < m; ic += MC) {
                    int rows = Math.min(MC, m - ic);
                    packA(rows, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs, packedA);
                    for (int s = 0; s < strips; s++) {
                        int cols = Math.min(NR, nc - s * NR);
                        for (int ir = 0; ir < rows; ir += MR) {
                            int cPos = cOff + (ic + ir) * ldc + jc + s * NR;
                            microKernel(kc, packedA, ir * kc, packedB, s * NR * kc, c, cPos, ldc,
                                    Math.min(MR, rows - ir), cols, overwrite);
                        }
                    }
                }
            }
        }
    }

    /**
     * Each thread's packing buffers, B's and A's, kept from one product to the next (at most 16 MB and 0.4 MB a
     * thread): a new pair per call is allocated and zeroed for nothing, since packing overwrites every number the
     * micro-kernel reads (edges are padded with explicit zeros).
     */
    private static final ThreadLocal<float[][]> PACKING_BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[] grown(float[][] buffers, int which, int size) {
        if (buffers[which].length < size) buffers[which] = new float[size];
        return buffers[which];
    }

    /**
     * Copies an {@code rows × kc} block of A into strips of MR rows: strip s holds, for each p, MR numbers.
     * Reads along whichever direction of A is contiguous: along rows for A itself, down columns for a
     * transposed A (a weight gradient's {@code xᵀ}).
     */
    static void packA(int rows, int kc, float[] a, int aOff, int aRs, int aCs, float[] packed) {
        for (int ir = 0; ir < rows; ir += MR) {
            int mr = Math.min(MR, rows - ir);
            int base = ir * kc;
            if (aCs == 1) {
                for (int i = 0; i < MR; i++) {
                    int src = aOff + (ir + i) * aRs;
                    if (i < mr) for (int p = 0; p < kc; p++) packed[base + p * MR + i] = a[src + p];
                    else for (int p = 0; p < kc; p++) packed[base + p * MR + i] = 0f; // so the micro-kernel may run on full tiles
                }
                continue;
            }
            for (int p = 0; p < kc; p++) {
                int src = aOff + ir * aRs + p * aCs;
                int dst = base + p * MR;
                for (int i = 0; i < mr; i++) packed[dst + i] = a[src + i * aRs];
                for (int i = mr; i < MR; i++) packed[dst + i] = 0f;
            }
        }
    }

    /**
     * Copies a {@code kc × cols} strip of B so that, for each p, its NR numbers lie side by side (a row-major B
     * goes through {@link #packBRows}, all strips at once). The {@code Wᵀ} of a linear layer (columns
     * contiguous) is copied a column at a time, which reads memory in order and is 2.4 times faster than
     * gathering across 16 rows of W for each p; on AVX-512 whole 16 × 16 blocks are transposed in registers
     * ({@link TransposeKernels}), 3.4-3.9 times faster again.
     */
    static void packB(int kc, int cols, float[] b, int bOff, int bRs, int bCs, float[] packed, int dst) {
        if (bRs == 1) {
            int p0 = 0;
            if (TransposeKernels.ENABLED && cols == NR) {      // whole 16 × 16 blocks in registers (AVX-512)
                int n = TransposeKernels.N;
                for (; p0 + n <= kc; p0 += n) {
                    for (int j = 0; j < NR; j += n) {
                        TransposeKernels.transpose16(b, bOff + j * bCs + p0, bCs, packed, dst + p0 * NR + j, NR);
                    }
                }
            }
            for (int j = 0; j < NR; j++) {                      // the rest a float at a time
                int src = bOff + j * bCs;
                if (j < cols) for (int p = p0; p < kc; p++) packed[dst + p * NR + j] = b[src + p];
                else for (int p = p0; p < kc; p++) packed[dst + p * NR + j] = 0f;
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int src = bOff + p * bRs;
            int d = dst + p * NR;
            for (int j = 0; j < cols; j++) packed[d + j] = b[src + j * bCs];
            for (int j = cols; j < NR; j++) packed[d + j] = 0f;
        }
    }

    /**
     * {@link #packB} for every strip of a row-major panel at once, a row of B at a time: each row's {@code nc}
     * numbers are read in order and dealt out to the strips, where strip by strip would read {@code NR} numbers
     * from each of {@code kc} rows in turn. The packed numbers are the same.
     */
    static void packBRows(int kc, int nc, float[] b, int bOff, int bRs, float[] packed) {
        for (int p = 0; p < kc; p++) {
            int src = bOff + p * bRs;
            for (int s = 0, j0 = 0; j0 < nc; s++, j0 += NR) {
                int cols = Math.min(NR, nc - j0), dst = s * NR * kc + p * NR;
                System.arraycopy(b, src + j0, packed, dst, cols);
                if (cols < NR) java.util.Arrays.fill(packed, dst + cols, dst + NR, 0f);
            }
        }
    }

    /**
     * {@code C[0..mr, 0..nr] (+)= Apacked · Bpacked} over {@code kc} steps. The eight accumulators are plain
     * local variables so that the JIT keeps them in registers; the loop body is four broadcasts of A, two
     * loads of B and eight fused multiply-adds.
     *
     * <p>Two details of the loop's form are for HotSpot's C2 and are worth 20-30 %, measured on Zen 3. The
     * first step is peeled (the accumulators start as products, not as zero vectors), and the loop walks two
     * running positions {@code ai}, {@code bi} instead of computing {@code aBase + p * MR} each step. With the
     * plain form, C2's register allocator added six register-to-register copies of accumulators per step and
     * three of the eight accumulator chains passed through them; at four cycles per fused multiply-add and
     * exactly eight chains to keep two FMA units busy, every extra cycle on a chain is lost throughput. The
     * form below compiles to 19 instructions per step with no copies and nothing on the stack (checked with
     * {@code -XX:CompileCommand=print,llm.tensor.Gemm::microKernel}).
     */
    static void microKernel(int kc, float[] pa, int aBase, float[] pb, int bBase,
                            float[] c, int cPos, int ldc, int mr, int nr, boolean overwrite) {
        if (MR == 6) microKernel6(kc, pa, aBase, pb, bBase, c, cPos, ldc, mr, nr, overwrite);
        else microKernel4(kc, pa, aBase, pb, bBase, c, cPos, ldc, mr, nr, overwrite);
    }

    /** The 4 × 2-vector tile (AVX2). */
    static void microKernel4(int kc, float[] pa, int aBase, float[] pb, int bBase,
                             float[] c, int cPos, int ldc, int mr, int nr, boolean overwrite) {
        FloatVector b0 = FloatVector.fromArray(F, pb, bBase);
        FloatVector b1 = FloatVector.fromArray(F, pb, bBase + L);
        FloatVector x = FloatVector.broadcast(F, pa[aBase]);
        FloatVector c00 = x.mul(b0), c01 = x.mul(b1);
        x = FloatVector.broadcast(F, pa[aBase + 1]);
        FloatVector c10 = x.mul(b0), c11 = x.mul(b1);
        x = FloatVector.broadcast(F, pa[aBase + 2]);
        FloatVector c20 = x.mul(b0), c21 = x.mul(b1);
        x = FloatVector.broadcast(F, pa[aBase + 3]);
        FloatVector c30 = x.mul(b0), c31 = x.mul(b1);
        int aEnd = aBase + kc * MR;
        for (int ai = aBase + MR, bi = bBase + NR; ai < aEnd; ai += MR, bi += NR) {
            b0 = FloatVector.fromArray(F, pb, bi);
            b1 = FloatVector.fromArray(F, pb, bi + L);
            x = FloatVector.broadcast(F, pa[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, pa[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, pa[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, pa[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        if (mr == MR && nr == NR) {
            storeRow(c00, c01, c, cPos, overwrite);
            storeRow(c10, c11, c, cPos + ldc, overwrite);
            storeRow(c20, c21, c, cPos + 2 * ldc, overwrite);
            storeRow(c30, c31, c, cPos + 3 * ldc, overwrite);
            return;
        }
        // Edge tile: spill the registers, then write only the rows and columns that exist.
        float[] tile = new float[MR * NR];
        c00.intoArray(tile, 0); c01.intoArray(tile, L);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                int ci = cPos + i * ldc + j;
                c[ci] = overwrite ? tile[i * NR + j] : c[ci] + tile[i * NR + j];
            }
        }
    }

    /**
     * The 6 × 2-vector tile (AVX-512's 32 registers): the loop of {@link #microKernel4} with six rows, written with
     * as few vector calls as it can be. C2 replaces a {@code FloatVector} by a register only when every call on it
     * is inlined, and its inlining budget per method runs out on large kernels (an 8-row version with a peeled
     * first step ran at 15 GFLOP/s, its vectors on the heap). So the accumulators start at zero and go through the
     * loop from the first step, and full and edge tiles share one set of stores (an edge tile is stored into a
     * scratch tile, then its part copied).
     */
    static void microKernel6(int kc, float[] pa, int aBase, float[] pb, int bBase,
                             float[] c, int cPos, int ldc, int mr, int nr, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int aEnd = aBase + kc * 6;
        for (int ai = aBase, bi = bBase; ai < aEnd; ai += 6, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(F, pb, bi);
            FloatVector b1 = FloatVector.fromArray(F, pb, bi + L);
            FloatVector x = FloatVector.broadcast(F, pa[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, pa[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, pa[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, pa[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, pa[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, pa[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        boolean full = mr == 6 && nr == NR;
        float[] dst = full ? c : new float[6 * NR];
        int at = full ? cPos : 0, ld = full ? ldc : NR;
        boolean ow = !full || overwrite;
        storeRow(c00, c01, dst, at, ow);
        storeRow(c10, c11, dst, at + ld, ow);
        storeRow(c20, c21, dst, at + 2 * ld, ow);
        storeRow(c30, c31, dst, at + 3 * ld, ow);
        storeRow(c40, c41, dst, at + 4 * ld, ow);
        storeRow(c50, c51, dst, at + 5 * ld, ow);
        if (full) return;
        for (int i = 0; i < mr; i++) {                         // the edge tile: only the rows and columns that exist
            for (int j = 0; j < nr; j++) {
                int ci = cPos + i * ldc + j;
                c[ci] = overwrite ? dst[i * NR + j] : c[ci] + dst[i * NR + j];
            }
        }
    }

    private static void storeRow(FloatVector v0, FloatVector v1, float[] c, int pos, boolean overwrite) {
        if (!overwrite) {
            v0 = v0.add(FloatVector.fromArray(F, c, pos));
            v1 = v1.add(FloatVector.fromArray(F, c, pos + L));
        }
        v0.intoArray(c, pos);
        v1.intoArray(c, pos + L);
    }

    /**
     * Few rows of A (token-by-token generation has one): no packing. When a column of B is contiguous
     * ({@code bRs == 1}, the {@code x·Wᵀ} of a linear layer) each output is a dot product of two contiguous
     * runs; when a row of B is contiguous ({@code bCs == 1}) each row of C is built by adding scaled rows of B.
     * Columns of C are spread over the threads.
     */
    static void gemmFewRows(int m, int n, int k,
                            float[] a, int aOff, int aRs, int aCs,
                            float[] b, int bOff, int bRs, int bCs,
                            float[] c, int cOff, int ldc, boolean accumulate, Parallelism par) {
        int chunks = Math.min(par.threads() * 4, ceilDiv(n, L));
        int chunk = roundUp(ceilDiv(n, chunks), L);
        par.forEach(ceilDiv(n, chunk), t -> {
            int j0 = t * chunk, j1 = Math.min(n, j0 + chunk);
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * aRs;
                int ci = cOff + i * ldc;
                if (bRs == 1 && aCs == 1) {
                    float[] four = new float[4];
                    int j = j0;
                    for (; j + 4 <= j1; j += 4) {
                        DotKernels.dot4(a, ai, b, bOff + j * bCs, bCs, k, four);
                        for (int q = 0; q < 4; q++) c[ci + j + q] = accumulate ? c[ci + j + q] + four[q] : four[q];
                    }
                    for (; j < j1; j++) {
                        float s = DotKernels.dotVector(a, ai, b, bOff + j * bCs, k);
                        c[ci + j] = accumulate ? c[ci + j] + s : s;
                    }
                } else if (bCs == 1) {
                    if (!accumulate) java.util.Arrays.fill(c, ci + j0, ci + j1, 0f);
                    for (int p = 0; p < k; p++) DotKernels.axpy(a[ai + p * aCs], b, bOff + p * bRs + j0, c, ci + j0, j1 - j0);
                } else {
                    gemmNaive(1, j1 - j0, k, a, ai, aRs, aCs, b, bOff + j0 * bCs, bRs, bCs, c, ci + j0, ldc, accumulate);
                }
            }
        });
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
