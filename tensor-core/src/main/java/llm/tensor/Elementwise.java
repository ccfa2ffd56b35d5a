package llm.tensor;

/**
 * Element-wise operations with NumPy broadcasting (Book Appendix A.2).
 *
 * <p>Both operands are {@linkplain NDArray#expand expanded} to the common shape, which costs nothing (the
 * repeated dimensions get stride 0); the result is then filled row by row, where a row is the last
 * dimension. Each row goes to {@link ElementwiseKernels}, whose Vector API loops handle the common case of a
 * contiguous row (or one repeated number, as a bias or a scalar looks).
 */
final class Elementwise {
    private Elementwise() {}

    /** Below this many elements an operation stays on the calling thread: it is done before a helper wakes. */
    private static final int PARALLEL_MIN = 1 << 17;
    /** Elements per task of a threaded operation (a multiple of every vector length: the same numbers). */
    private static final int CHUNK = 1 << 15;

    static NDArray unary(UnaryOp op, NDArray x) {
        NDArray c = x.contiguous();
        float[] out = new float[c.numel()];
        ElementwiseKernels.unaryScalar(op, c.storage(), c.offset(), out, 0, out.length);
        return NDArray.of(out, c.shape());
    }

    static NDArray binary(BinaryOp op, NDArray a, NDArray b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape(), op.name().toLowerCase());
        float[] out = new float[Shape.numel(shape)];
        apply(op, a.expand(shape), b.expand(shape), out, 0);
        return NDArray.of(out, shape);
    }

    /** {@code target += other}, with {@code other} broadcast to the target's shape. */
    static void addInPlace(NDArray target, NDArray other) {
        if (!target.isContiguous()) throw new IllegalStateException("addInPlace: target must be contiguous");
        int[] shape = target.shape();
        Shape.broadcast(shape, other.shape(), "addInPlace");
        apply(BinaryOp.ADD, target, other.expand(shape), target.storage(), target.offset());
    }

    /** Writes {@code op(a, b)} into contiguous {@code out} starting at {@code oo}; a and b have the same shape. */
    private static void apply(BinaryOp op, NDArray a, NDArray b, float[] out, int oo) {
        int rank = a.rank();
        if (rank == 0 || (a.isContiguous() && b.isContiguous())) {
            // One long row: the common case of two plain arrays of the same shape. A long one (a residual
            // connection's sum, a gradient added to another) is cut into chunks shared among the threads.
            int n = a.numel();
            float[] as = a.storage(), bs = b.storage();
            int ao = a.offset(), bo = b.offset();
            if (n < PARALLEL_MIN) {
                kernel(op, as, ao, 1, bs, bo, 1, out, oo, n);
                return;
            }
            Parallelism.DEFAULT.forEach((n + CHUNK - 1) / CHUNK, c -> {
                int i = c * CHUNK;
                kernel(op, as, ao + i, 1, bs, bo + i, 1, out, oo + i, Math.min(CHUNK, n - i));
            });
            return;
        }
        int n = a.dim(-1);
        int aStep = a.strides()[rank - 1];
        int bStep = b.strides()[rank - 1];
        int[] aRows = a.rowStarts();
        int[] bRows = b.rowStarts();
        for (int r = 0; r < aRows.length; r++) {
            kernel(op, a.storage(), aRows[r], aStep, b.storage(), bRows[r], bStep, out, oo + r * n, n);
        }
    }

    private static void kernel(BinaryOp op, float[] a, int ao, int aStep, float[] b, int bo, int bStep, float[] out, int oo, int n) {
        if (Vectorization.ENABLED) ElementwiseKernels.binaryVector(op, a, ao, aStep, b, bo, bStep, out, oo, n);
        else ElementwiseKernels.binaryScalar(op, a, ao, aStep, b, bo, bStep, out, oo, n);
    }
}
