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
 */
public final class MatMulKernel {
    /** Threads per side of a work-group, and the tile's side in local memory. */
    public static final int TILE = 16;

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

    static int roundUp(int x) {
        return (x + TILE - 1) / TILE * TILE;
    }
}
