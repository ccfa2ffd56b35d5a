package llm.tensor;

/**
 * Reading elements by integer index, and the scatter-adds that carry gradients back through those reads:
 * {@code gather}, {@code index_select} and the embedding lookup (Book §2.7, where token ids select rows of
 * the embedding weight matrix).
 */
public final class Indexing {
    private Indexing() {}

    /** Row lookup: {@code weight (V, C)} and ids of any shape {@code S} give {@code (S..., C)}. */
    public static NDArray embedding(NDArray weight, IntNDArray ids) {
        if (weight.rank() != 2) throw new IllegalArgumentException("embedding: weight must be (V, C), got " + Shape.format(weight.shape()));
        NDArray w = weight.contiguous();
        int c = w.dim(1);
        int[] idx = ids.storage();
        float[] out = new float[idx.length * c];
        EmbeddingKernels.forward(w.storage(), w.offset(), idx, out, idx.length, w.dim(0), c);
        int[] shape = java.util.Arrays.copyOf(ids.shape(), ids.rank() + 1);
        shape[ids.rank()] = c;
        return NDArray.of(out, shape);
    }

    /** The backward of {@link #embedding}: adds each row of {@code grad (S..., C)} into row {@code ids[t]} of a {@code (V, C)} zero array. */
    public static NDArray embeddingBackward(NDArray grad, IntNDArray ids, int vocab) {
        NDArray g = grad.contiguous();
        int c = g.dim(-1);
        float[] out = new float[vocab * c];
        EmbeddingKernels.backward(g.storage(), g.offset(), ids.storage(), out, ids.storage().length, c);
        return NDArray.of(out, vocab, c);
    }

    static NDArray indexSelect(NDArray x, int dim, IntNDArray index) {
        int d = Shape.dim(dim, x.rank(), "indexSelect");
        if (index.rank() != 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + Shape.format(index.shape()));
        NDArray c = x.contiguous();
        int[] s = c.shape();
        int outer = Reductions.prefix(s, d), n = s[d], inner = Reductions.suffix(s, d);
        int[] idx = index.storage();
        float[] out = new float[outer * idx.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int t = 0; t < idx.length; t++) {
                if (idx[t] < 0 || idx[t] >= n) throw new IndexOutOfBoundsException("indexSelect: index " + idx[t] + " out of range for dimension " + dim + " of size " + n);
                System.arraycopy(c.storage(), c.offset() + (o * n + idx[t]) * inner, out, (o * idx.length + t) * inner, inner);
            }
        }
        int[] outShape = s.clone();
        outShape[d] = idx.length;
        return NDArray.of(out, outShape);
    }

    /** The backward of {@code indexSelect}: adds the slices of {@code grad} back at {@code index} in a zero array of {@code shape}. */
    public static NDArray indexAdd(int[] shape, int dim, IntNDArray index, NDArray grad) {
        int d = Shape.dim(dim, shape.length, "indexAdd");
        NDArray g = grad.contiguous();
        int outer = Reductions.prefix(shape, d), n = shape[d], inner = Reductions.suffix(shape, d);
        int[] idx = index.storage();
        float[] out = new float[Shape.numel(shape)];
        for (int o = 0; o < outer; o++) {
            for (int t = 0; t < idx.length; t++) {
                int dst = (o * n + idx[t]) * inner, src = g.offset() + (o * idx.length + t) * inner;
                for (int i = 0; i < inner; i++) out[dst + i] += g.storage()[src + i];
            }
        }
        return NDArray.of(out, shape);
    }

    static NDArray gather(NDArray x, int dim, IntNDArray index) {
        int d = Shape.dim(dim, x.rank(), "gather");
        checkGatherShapes(x.shape(), d, index, "gather");
        NDArray c = x.contiguous();
        int[] xs = c.shape(), is = index.shape();
        int[] xStrides = Shape.contiguousStrides(xs);
        float[] out = new float[index.numel()];
        int[] pos = new int[is.length];
        int[] idx = index.storage();
        for (int t = 0; t < idx.length; t++) {
            int chosen = idx[t];
            if (chosen < 0 || chosen >= xs[d]) throw new IndexOutOfBoundsException("gather: index " + chosen + " out of range for dimension " + dim + " of size " + xs[d]);
            int p = c.offset();
            for (int k = 0; k < is.length; k++) p += (k == d ? chosen : pos[k]) * xStrides[k];
            out[t] = c.storage()[p];
            increment(pos, is);
        }
        return NDArray.of(out, is);
    }

    /** The backward of {@code gather}: {@code out[... index[...] ...] += grad[...]} into zeros of {@code shape}. */
    public static NDArray scatterAdd(int[] shape, int dim, IntNDArray index, NDArray grad) {
        int d = Shape.dim(dim, shape.length, "scatterAdd");
        checkGatherShapes(shape, d, index, "scatterAdd");
        NDArray g = grad.contiguous();
        int[] is = index.shape();
        int[] strides = Shape.contiguousStrides(shape);
        float[] out = new float[Shape.numel(shape)];
        int[] pos = new int[is.length];
        int[] idx = index.storage();
        for (int t = 0; t < idx.length; t++) {
            int p = 0;
            for (int k = 0; k < is.length; k++) p += (k == d ? idx[t] : pos[k]) * strides[k];
            out[p] += g.storage()[g.offset() + t];
            increment(pos, is);
        }
        return NDArray.of(out, shape);
    }

    private static void checkGatherShapes(int[] xs, int d, IntNDArray index, String op) {
        int[] is = index.shape();
        boolean ok = is.length == xs.length;
        for (int k = 0; ok && k < xs.length; k++) ok = k == d || is[k] <= xs[k];
        if (!ok) {
            throw new IllegalArgumentException(op + ": index " + Shape.format(is) + " does not fit input " + Shape.format(xs)
                    + " (same rank, and no larger except along dimension " + d + ")");
        }
    }

    private static void increment(int[] pos, int[] shape) {
        for (int k = shape.length - 1; k >= 0; k--) {
            if (++pos[k] < shape[k]) return;
            pos[k] = 0;
        }
    }
}
