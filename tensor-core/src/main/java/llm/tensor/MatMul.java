package llm.tensor;

/**
 * {@code torch.matmul} semantics over {@link NDArray}s: the last two dimensions multiply as matrices, the
 * dimensions before them are batch dimensions that broadcast (Book Appendix A.2, §3.3.1). A 1-D left
 * operand is treated as one row and a 1-D right operand as one column, and that dimension is dropped from
 * the result.
 *
 * <p>Views reach {@link Gemm} as strides, so {@code x.matmul(w.transpose(0, 1))} reads {@code w} in place.
 * Many small products (attention's per-head products) run in parallel across the batch; one large product
 * runs its row blocks in parallel instead.
 */
public final class MatMul {
    private MatMul() {}

    public static NDArray matmul(NDArray a, NDArray b) {
        return matmul(a, b, Parallelism.DEFAULT);
    }

    public static NDArray matmul(NDArray a, NDArray b, Parallelism par) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dimension, got "
                    + Shape.format(a.shape()) + " and " + Shape.format(b.shape()));
        }
        boolean rowVector = a.rank() == 1, colVector = b.rank() == 1;
        NDArray a2 = rowVector ? a.unsqueeze(0) : a;
        NDArray b2 = colVector ? b.unsqueeze(1) : b;
        int m = a2.dim(-2), k = a2.dim(-1), k2 = b2.dim(-2), n = b2.dim(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: a " + Shape.format(a.shape()) + " and b " + Shape.format(b.shape())
                    + " disagree: a.dim(-1)=" + k + ", b.dim(-2)=" + k2);
        }
        int[] batch = Shape.broadcast(batchShape(a2), batchShape(b2), "matmul (batch dimensions)");
        NDArray ax = a2.expand(concat(batch, m, k));
        NDArray bx = b2.expand(concat(batch, k, n));
        int[] outShape = concat(batch, m, n);
        float[] out = new float[Shape.numel(outShape)];

        int[] aStarts = batchStarts(ax), bStarts = batchStarts(bx);
        int[] as = ax.strides(), bs = bx.strides();
        int r = as.length;
        int aRs = as[r - 2], aCs = as[r - 1], bRs = bs[r - 2], bCs = bs[r - 1];
        int count = aStarts.length;
        if (count >= par.threads() && par.threads() > 1) {
            par.forEach(count, t -> Gemm.gemm(m, n, k, ax.storage(), aStarts[t], aRs, aCs,
                    bx.storage(), bStarts[t], bRs, bCs, out, t * m * n, n, false, Parallelism.SINGLE));
        } else {
            for (int t = 0; t < count; t++) {
                Gemm.gemm(m, n, k, ax.storage(), aStarts[t], aRs, aCs, bx.storage(), bStarts[t], bRs, bCs,
                        out, t * m * n, n, false, par);
            }
        }
        NDArray result = NDArray.of(out, outShape);
        if (rowVector) result = result.squeeze(-2);
        if (colVector) result = result.squeeze(-1);
        return result;
    }

    /** The textbook definition, element by element: the reference for {@link #matmul}. */
    public static NDArray matmulNaive(NDArray a, NDArray b) {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(0)) {
            throw new IllegalArgumentException("matmulNaive: needs (m, k) and (k, n), got "
                    + Shape.format(a.shape()) + " and " + Shape.format(b.shape()));
        }
        int m = a.dim(0), k = a.dim(1), n = b.dim(1);
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
                out[i * n + j] = s;
            }
        }
        return NDArray.of(out, m, n);
    }

    private static int[] batchShape(NDArray x) {
        int[] s = x.shape();
        return java.util.Arrays.copyOf(s, s.length - 2);
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    /** Storage position of matrix number t, for every batch index in row-major order. */
    private static int[] batchStarts(NDArray x) {
        // The first element of every matrix is the first element of a row of this (batch..., 1, 1) view.
        return x.narrow(-2, 0, Math.min(1, x.dim(-2))).narrow(-1, 0, Math.min(1, x.dim(-1))).rowStarts();
    }
}
