package llm.tensor;

/** Softmax and log-softmax over any dimension; rows of the last dimension go to {@link SoftmaxKernels}. */
final class Softmax {
    private Softmax() {}

    static NDArray softmax(NDArray x, int dim) {
        return overRows(x, dim, false);
    }

    static NDArray logSoftmax(NDArray x, int dim) {
        return overRows(x, dim, true);
    }

    private static NDArray overRows(NDArray x, int dim, boolean log) {
        int d = Shape.dim(dim, x.rank(), log ? "logSoftmax" : "softmax");
        int last = x.rank() - 1;
        // Bring the dimension to the end, where it is a contiguous row; move it back afterwards.
        NDArray rows = (d == last ? x : x.transpose(d, last)).contiguous();
        int n = rows.dim(-1);
        float[] in = rows.storage();
        float[] out = new float[rows.numel()];
        int count = n == 0 ? 0 : out.length / n;
        for (int r = 0; r < count; r++) {
            int xo = rows.offset() + r * n, oo = r * n;
            if (log) SoftmaxKernels.logSoftmaxScalar(in, xo, out, oo, n);
            else if (Vectorization.ENABLED) SoftmaxKernels.softmaxVector(in, xo, out, oo, n);
            else SoftmaxKernels.softmaxScalar(in, xo, out, oo, n);
        }
        NDArray result = NDArray.of(out, rows.shape());
        return d == last ? result : result.transpose(d, last).contiguous();
    }
}
