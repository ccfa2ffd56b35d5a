package llm.tensor;

/**
 * Triangular masks, {@code masked_fill} and {@code where}: what causal attention needs to hide future
 * tokens (Book §3.5.1, where {@code torch.triu(ones, diagonal=1)} marks the positions to fill with -inf).
 */
final class Masking {
    private Masking() {}

    static NDArray tril(NDArray x, int k) {
        return triangle(x, k, true);
    }

    static NDArray triu(NDArray x, int k) {
        return triangle(x, k, false);
    }

    private static NDArray triangle(NDArray x, int k, boolean lower) {
        if (x.rank() < 2) throw new IllegalArgumentException((lower ? "tril" : "triu") + ": needs at least 2 dimensions, got " + Shape.format(x.shape()));
        NDArray c = x.copy();
        float[] d = c.storage();
        int rows = c.dim(-2), cols = c.dim(-1);
        int matrices = c.numel() / Math.max(rows * cols, 1);
        for (int t = 0; t < matrices; t++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    boolean keep = lower ? j - i <= k : j - i >= k;
                    if (!keep) d[t * rows * cols + i * cols + j] = 0f;
                }
            }
        }
        return c;
    }

    static NDArray maskedFill(NDArray x, NDArray mask, float value) {
        int[] shape = x.shape();
        int[] both = Shape.broadcast(shape, mask.shape(), "maskedFill");
        if (!Shape.same(both, shape)) {
            throw new IllegalArgumentException("maskedFill: mask " + Shape.format(mask.shape()) + " would grow "
                    + Shape.format(shape) + " to " + Shape.format(both));
        }
        return where(mask, NDArray.scalar(value), x);
    }

    static NDArray where(NDArray cond, NDArray a, NDArray b) {
        int[] shape = Shape.broadcast(Shape.broadcast(cond.shape(), a.shape(), "where"), b.shape(), "where");
        NDArray c = cond.expand(shape).contiguous();
        NDArray ax = a.expand(shape).contiguous();
        NDArray bx = b.expand(shape).contiguous();
        float[] out = new float[Shape.numel(shape)];
        float[] cd = c.storage(), ad = ax.storage(), bd = bx.storage();
        int co = c.offset(), ao = ax.offset(), bo = bx.offset();
        for (int i = 0; i < out.length; i++) out[i] = cd[co + i] != 0f ? ad[ao + i] : bd[bo + i];
        return NDArray.of(out, shape);
    }
}
