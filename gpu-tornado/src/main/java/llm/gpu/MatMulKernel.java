package llm.gpu;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The matrix product of a linear layer's forward pass, {@code C (M, N) = A (M, K) · B (N, K)ᵀ} (x · Wᵀ, Book §3.4 and
 * every {@code Linear}), as a TornadoVM kernel tiled in local memory: each work-group of {@value #TILE} ×
 * {@value #TILE} threads computes one tile of C, loading a tile of A and a tile of B into local memory per step of
 * K, so each number read from global memory serves {@value #TILE} products. Sizes that are not multiples of the tile
 * are padded with zeros in local memory and their outputs not written. The CPU reference is
 * {@code Gemm.gemmNaive} with B read transposed.
 */
public final class MatMulKernel {
    /** Threads per side of a work-group, and the tile's side in local memory. */
    public static final int TILE = 16;

    private MatMulKernel() {}

    /** One thread per element of C: x is the column (N), y the row (M). */
    public static void matmulTransposedB(KernelContext ctx, FloatArray a, FloatArray b, FloatArray c, int m, int n, int k) {
        int col = ctx.globalIdx, row = ctx.globalIdy;
        int lx = ctx.localIdx, ly = ctx.localIdy;
        float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE);       // aTile[ly][p] = A[row][t + p]
        float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE);       // bTile[p][lx] = B[col][t + p]
        float sum = 0f;
        for (int t = 0; t < k; t += TILE) {
            int ak = t + lx, bk = t + ly;
            float av = 0f, bv = 0f;
            if (row < m && ak < k) av = a.get(row * k + ak);
            if (col < n && bk < k) bv = b.get(col * k + bk);
            aTile[ly * TILE + lx] = av;
            bTile[ly * TILE + lx] = bv;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) sum += aTile[ly * TILE + p] * bTile[p * TILE + lx];
            ctx.localBarrier();
        }
        if (row < m && col < n) c.set(row * n + col, sum);
    }

    /** Runs the kernel once on the default device: copies A and B in and C out (for tests and one-off products). */
    public static void run(float[] a, float[] b, float[] c, int m, int n, int k) {
        FloatArray da = FloatArray.fromArray(a), db = FloatArray.fromArray(b), dc = new FloatArray(m * n);
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("mm")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, da, db)
                .task("t", MatMulKernel::matmulTransposedB, ctx, da, db, dc, m, n, k)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dc);
        WorkerGrid grid = new WorkerGrid2D(roundUp(n), roundUp(m));
        grid.setLocalWork(TILE, TILE, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(new GridScheduler("mm.t", grid)).execute();
        } catch (Exception e) {
            throw new IllegalStateException("TornadoVM matmul failed: " + e.getMessage(), e);
        }
        System.arraycopy(dc.toHeapArray(), 0, c, 0, m * n);
    }

    static int roundUp(int x) {
        return (x + TILE - 1) / TILE * TILE;
    }
}
