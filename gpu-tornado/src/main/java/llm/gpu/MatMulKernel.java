package llm.gpu;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The matrix products of a linear layer (Book §3.4 and every {@code Linear}) as one TornadoVM kernel with strides,
 * {@code C (M, N) = A (M, K) · B (K, N)} where {@code A[i][p] = a[aOff + i·aRs + p·aCs]} and {@code B[p][j] = b[bOff + p·bRs +
 * j·bCs]}, as {@code Gemm.gemmNaive} reads them; the forward {@code y = x·Wᵀ} and both backward products
 * {@code dx = dy·W}, {@code dW = dyᵀ·x} are stride choices ({@link #forward}, {@link #backwardInput},
 * {@link #backwardWeight}). Tiled in local memory: each work-group of {@value #TILE} × {@value #TILE} threads
 * computes one tile of C, loading a tile of A and a tile of B per step of K, so each number read from global memory
 * serves {@value #TILE} products. Sizes that are not multiples of the tile are padded with zeros in local memory and
 * their outputs not written.
 *
 * <p>{@link #matmulBlocked} is the same product with register blocking, the known next step on a GPU (as in the
 * classic CUDA SGEMM tutorials and llm.c's early kernels): each thread keeps a {@value #R} × {@value #R} block of C in
 * registers, so a work-group computes a {@value #BLOCK} × {@value #BLOCK} tile, and each number loaded from local memory
 * serves {@value #R} products instead of one. It is checked against the same reference; which one trains is
 * {@code -Dllm.gpu.matmul=blocked} (default {@code tiled}) until a GPU has timed both in one run ({@link GpuCheck}).
 */
public final class MatMulKernel {
    /** Threads per side of a work-group, and the tile's side in local memory. */
    public static final int TILE = 16;

    /** Rows (and columns) of C each thread of {@link #matmulBlocked} computes. */
    public static final int R = 4;
    /** Side of the tile of C a work-group of {@link #matmulBlocked} computes. */
    public static final int BLOCK = TILE * R;
    /** Depth of one step of {@link #matmulBlocked}: the tiles of A ({@code BLOCK × DEPTH}) and B ({@code DEPTH × BLOCK}) in local memory. */
    public static final int DEPTH = 16;
    /** Whether the training step uses {@link #matmulBlocked} ({@code -Dllm.gpu.matmul=blocked}) or {@link #matmul}. */
    public static final boolean BLOCKED = "blocked".equals(System.getProperty("llm.gpu.matmul", "tiled"));

    private MatMulKernel() {}

    /** One thread per element of C: x is the column (N), y the row (M). */
    public static void matmul(KernelContext ctx, FloatArray a, int aOff, int aRs, int aCs, FloatArray b, int bOff, int bRs, int bCs, FloatArray c, int cOff,
                              int m, int n, int k) {
        int col = ctx.globalIdx, row = ctx.globalIdy;
        int lx = ctx.localIdx, ly = ctx.localIdy;
        float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE);       // aTile[ly][p] = A[row][t + p]
        float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE);       // bTile[p][lx] = B[t + p][col]
        float sum = 0f;
        for (int t = 0; t < k; t += TILE) {
            int ak = t + lx, bk = t + ly;
            float av = 0f, bv = 0f;
            if (row < m && ak < k) av = a.get(aOff + row * aRs + ak * aCs);
            if (col < n && bk < k) bv = b.get(bOff + bk * bRs + col * bCs);
            aTile[ly * TILE + lx] = av;
            bTile[ly * TILE + lx] = bv;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) sum += aTile[ly * TILE + p] * bTile[p * TILE + lx];
            ctx.localBarrier();
        }
        if (row < m && col < n) c.set(cOff + row * n + col, sum);
    }

    /**
     * {@link #matmul} with register blocking: thread {@code (tx, ty)} of a 16 × 16 work-group computes C's rows
     * {@code ty + 16i} and columns {@code tx + 16j} ({@code i, j < 4}) of the work-group's 64 × 64 tile, so that
     * neighbouring threads read neighbouring numbers of local memory and write neighbouring numbers of C. Each step of
     * {@value #DEPTH} along K, the 256 threads load the step's 64 × 16 numbers of A and 16 × 64 of B, four each, in the
     * order in which their strides make neighbouring threads read neighbouring addresses; then each multiplies four
     * numbers of A by four of B sixteen times.
     */
    public static void matmulBlocked(KernelContext ctx, FloatArray a, int aOff, int aRs, int aCs, FloatArray b, int bOff, int bRs, int bCs,
                                     FloatArray c, int cOff, int m, int n, int k) {
        int tx = ctx.localIdx, ty = ctx.localIdy;
        int row0 = ctx.groupIdy * BLOCK, col0 = ctx.groupIdx * BLOCK;
        int tid = ty * TILE + tx;
        float[] aTile = ctx.allocateFloatLocalArray(BLOCK * DEPTH);     // aTile[r][p] = A[row0 + r][t + p]
        float[] bTile = ctx.allocateFloatLocalArray(DEPTH * BLOCK);     // bTile[p][j] = B[t + p][col0 + j]
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int t = 0; t < k; t += DEPTH) {
            for (int q = 0; q < R; q++) {
                int e = tid + q * TILE * TILE;
                int ar = e / DEPTH, ap = e % DEPTH;                     // along K when A's rows are contiguous
                if (aCs != 1) {
                    ar = e % BLOCK;
                    ap = e / BLOCK;
                }
                float av = 0f;
                if (row0 + ar < m && t + ap < k) av = a.get(aOff + (row0 + ar) * aRs + (t + ap) * aCs);
                aTile[ar * DEPTH + ap] = av;
                int bp = e / BLOCK, bj = e % BLOCK;                     // along N when B's rows are contiguous
                if (bCs != 1) {
                    bp = e % DEPTH;
                    bj = e / DEPTH;
                }
                float bv = 0f;
                if (t + bp < k && col0 + bj < n) bv = b.get(bOff + (t + bp) * bRs + (col0 + bj) * bCs);
                bTile[bp * BLOCK + bj] = bv;
            }
            ctx.localBarrier();
            for (int p = 0; p < DEPTH; p++) {
                float a0 = aTile[ty * DEPTH + p], a1 = aTile[(ty + TILE) * DEPTH + p];
                float a2 = aTile[(ty + 2 * TILE) * DEPTH + p], a3 = aTile[(ty + 3 * TILE) * DEPTH + p];
                float b0 = bTile[p * BLOCK + tx], b1 = bTile[p * BLOCK + tx + TILE];
                float b2 = bTile[p * BLOCK + tx + 2 * TILE], b3 = bTile[p * BLOCK + tx + 3 * TILE];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            ctx.localBarrier();
        }
        int r = row0 + ty, col = col0 + tx;
        storeRow(c, cOff, m, n, r, col, c00, c01, c02, c03);
        storeRow(c, cOff, m, n, r + TILE, col, c10, c11, c12, c13);
        storeRow(c, cOff, m, n, r + 2 * TILE, col, c20, c21, c22, c23);
        storeRow(c, cOff, m, n, r + 3 * TILE, col, c30, c31, c32, c33);
    }

    /** A thread's four outputs of C's row {@code row}, at columns {@code col + 16j}: those inside C. */
    private static void storeRow(FloatArray c, int cOff, int m, int n, int row, int col, float v0, float v1, float v2, float v3) {
        if (row < m) {
            int at = cOff + row * n + col;
            if (col < n) c.set(at, v0);
            if (col + TILE < n) c.set(at + TILE, v1);
            if (col + 2 * TILE < n) c.set(at + 2 * TILE, v2);
            if (col + 3 * TILE < n) c.set(at + 3 * TILE, v3);
        }
    }

    /** {@code y (M, N) = x (M, K) · W (N, K)ᵀ}: strides of x row-major and W read transposed. */
    public static int[] forward(int m, int n, int k) {
        return new int[] {k, 1, 1, k};
    }

    /** {@code dx (M, K) = dy (M, N) · W (N, K)}: the product's K is the layer's N. */
    public static int[] backwardInput(int m, int n, int k) {
        return new int[] {n, 1, k, 1};
    }

    /** {@code dW (N, K) = dy (M, N)ᵀ · x (M, K)}: the product's K is the layer's M. */
    public static int[] backwardWeight(int m, int n, int k) {
        return new int[] {1, n, k, 1};
    }

    /** The launch grid of an (M, N) product: whole tiles covering it. */
    static WorkerGrid grid(int m, int n) {
        WorkerGrid grid = new WorkerGrid2D(roundUp(n), roundUp(m));
        grid.setLocalWork(TILE, TILE, 1);
        return grid;
    }

    /** The launch grid of {@link #matmulBlocked} on an (M, N) product: a 16 × 16 work-group per 64 × 64 tile of C. */
    static WorkerGrid gridBlocked(int m, int n) {
        WorkerGrid grid = new WorkerGrid2D((n + BLOCK - 1) / BLOCK * TILE, (m + BLOCK - 1) / BLOCK * TILE);
        grid.setLocalWork(TILE, TILE, 1);
        return grid;
    }

    static int roundUp(int x) {
        return (x + TILE - 1) / TILE * TILE;
    }
}
