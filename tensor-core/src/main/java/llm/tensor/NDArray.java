package llm.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array of float32 numbers: the values that every later layer computes with.
 *
 * <p>Book Appendix A.2 ("Understanding tensors"). Like a PyTorch tensor, an {@code NDArray} is a window
 * onto a flat {@code float[]} storage, described by a {@code shape}, a {@code strides} array (how far to move
 * in storage for one step along each dimension) and an {@code offset}. Element {@code (i, j, k)} lives at
 * {@code offset + i*strides[0] + j*strides[1] + k*strides[2]}. Because of that, views such as
 * {@link #transpose}, {@link #narrow} and {@link #expand} only build new strides and never copy; {@link
 * #contiguous()} copies only when the layout is not plain row-major.
 *
 * <p>This class is a thin front end: the arithmetic lives in one class per kind of operation ({@link
 * Elementwise}, {@link Reductions}, {@link MatMul}, {@link Softmax}, {@link Indexing}, {@link Joining},
 * {@link Masking}, {@link Sampling}). Gradients are not tracked here; the {@code autograd} module wraps an
 * {@code NDArray} in a differentiable {@code Tensor}.
 *
 * {@snippet :
 * NDArray x = NDArray.arange(0, 6).view(2, 3);   // [[0, 1, 2], [3, 4, 5]]
 * NDArray t = x.transpose(0, 1);                 // shape (3, 2), shares x's storage
 * NDArray y = x.matmul(t);                       // (2, 3) @ (3, 2) -> (2, 2)
 * }
 */
public final class NDArray {
    private final float[] data;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    NDArray(float[] data, int[] shape, int[] strides, int offset) {
        this.data = data;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (not copied) as a contiguous array of the given shape; no shape means 1-D (or a scalar, for one value). */
    public static NDArray of(float[] data, int... shape) {
        if (shape.length == 0 && data.length != 1) shape = new int[] {data.length};
        int n = Shape.numel(shape);
        if (data.length != n) {
            throw new IllegalArgumentException("of: " + data.length + " values do not fill shape "
                    + Shape.format(shape) + " (" + n + " elements)");
        }
        return new NDArray(data, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** A 2-D array from rows of equal length, copied. */
    public static NDArray of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] data = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return of(data, rows.length, cols);
    }

    /** A 0-dimensional array holding one number. */
    public static NDArray scalar(float value) {
        return new NDArray(new float[] {value}, new int[0], new int[0], 0);
    }

    public static NDArray zeros(int... shape) {
        return of(new float[Shape.numel(shape)], shape);
    }

    public static NDArray ones(int... shape) {
        return full(1f, shape);
    }

    public static NDArray full(float value, int... shape) {
        float[] data = new float[Shape.numel(shape)];
        Arrays.fill(data, value);
        return of(data, shape);
    }

    /** {@code start, start+1, ..., end-1} as a 1-D array, like {@code torch.arange(start, end)}. */
    public static NDArray arange(int start, int end) {
        if (end < start) throw new IllegalArgumentException("arange: end " + end + " < start " + start);
        float[] data = new float[end - start];
        for (int i = 0; i < data.length; i++) data[i] = start + i;
        return of(data, data.length);
    }

    /** Uniform numbers in {@code [0, 1)}, like {@code torch.rand}. */
    public static NDArray rand(SeededRandom rng, int... shape) {
        return uniform(rng, 0f, 1f, shape);
    }

    /** Uniform numbers in {@code [low, high)}. */
    public static NDArray uniform(SeededRandom rng, float low, float high, int... shape) {
        float[] data = new float[Shape.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.nextFloat();
        return of(data, shape);
    }

    /** Standard normal numbers N(0, 1), like {@code torch.randn}. */
    public static NDArray randn(SeededRandom rng, int... shape) {
        float[] data = new float[Shape.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextGaussian();
        return of(data, shape);
    }

    /**
     * PyTorch's default initialisation of {@code nn.Linear} weights: {@code kaiming_uniform_(a=sqrt(5))}, which
     * works out to uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn))}.
     */
    public static NDArray kaimingUniform(SeededRandom rng, int fanIn, int... shape) {
        if (fanIn <= 0) throw new IllegalArgumentException("kaimingUniform: fanIn must be positive, got " + fanIn);
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return uniform(rng, -bound, bound, shape);
    }

    // ---------------------------------------------------------------- layout

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d}; negative {@code d} counts from the end. */
    public int dim(int d) {
        return shape[Shape.dim(d, shape.length, "dim")];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    /**
     * The backing storage, shared with every view of it. Kernels in other modules (the fused layers of
     * autograd, llm.c style) read it directly; call {@link #contiguous()} first so that element {@code i}
     * is at {@code storage()[offset() + i]}.
     */
    public float[] storage() {
        return data;
    }

    /** True when the elements lie row-major and gap-free in storage (dimensions of size 1 may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    // ---------------------------------------------------------------- elements

    /** The element at a full index, e.g. {@code x.get(1, 2)}. */
    public float get(int... index) {
        return data[position(index, "get")];
    }

    /** Writes one element (mutates the storage, and so every view that shares it). */
    public void set(float value, int... index) {
        data[position(index, "set")] = value;
    }

    /** The value of a one-element array. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: array of shape " + Shape.format(shape) + " has " + numel() + " elements, not 1");
        return data[offset];
    }

    private int position(int[] index, String op) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": index of length " + index.length + " for shape " + Shape.format(shape));
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException(op + ": index " + index[d] + " out of range for dimension " + d
                        + " of size " + shape[d] + " (shape " + Shape.format(shape) + ")");
            }
            p += i * strides[d];
        }
        return p;
    }

    /** A new row-major {@code float[]} holding the elements. */
    public float[] toArray() {
        NDArray c = contiguous();
        if (c != this) return c.data; // already a fresh copy
        return Arrays.copyOfRange(c.data, c.offset, c.offset + c.numel());
    }

    // ---------------------------------------------------------------- views (no copy)

    /**
     * The same elements seen with another shape; one size may be {@code -1} and is inferred. Needs a
     * contiguous array (as PyTorch's {@code view} does); {@link #reshape} copies when it must.
     */
    public NDArray view(int... newShape) {
        int[] resolved = inferShape(newShape, "view");
        if (!isContiguous()) {
            throw new IllegalStateException("view: array of shape " + Shape.format(shape) + " with strides "
                    + Arrays.toString(strides) + " is not contiguous; call contiguous() or reshape()");
        }
        return new NDArray(data, resolved, Shape.contiguousStrides(resolved), offset);
    }

    /** Like {@link #view}, copying first when the array is not contiguous. */
    public NDArray reshape(int... newShape) {
        return contiguous().view(newShape);
    }

    private int[] inferShape(int[] newShape, String op) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one size may be -1 in " + Shape.format(newShape));
                infer = i;
            } else {
                if (s[i] < 0) throw new IllegalArgumentException(op + ": negative size in " + Shape.format(newShape));
                known *= s[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": cannot view " + Shape.format(shape) + " (" + n + " elements) as " + Shape.format(newShape));
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": cannot view " + Shape.format(shape) + " (" + n
                    + " elements) as " + Shape.format(newShape) + " (" + known + " elements)");
        }
        return s;
    }

    /** Swaps two dimensions, like {@code x.transpose(d0, d1)}: a view. */
    public NDArray transpose(int d0, int d1) {
        int a = Shape.dim(d0, shape.length, "transpose");
        int b = Shape.dim(d1, shape.length, "transpose");
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Reorders the dimensions: dimension {@code i} of the result is dimension {@code order[i]} of this. */
    public NDArray permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " for rank " + shape.length);
        }
        int[] s = new int[order.length];
        int[] st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shape.dim(order[i], shape.length, "permute");
            if (seen[d]) throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(order));
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        return new NDArray(data, s, st, offset);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}, like {@code torch.narrow}: a view. */
    public NDArray narrow(int dim, int start, int length) {
        int d = Shape.dim(dim, shape.length, "narrow");
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: [" + start + ", " + (start + length) + ") out of range for dimension "
                    + dim + " of size " + shape[d] + " (shape " + Shape.format(shape) + ")");
        }
        int[] s = shape.clone();
        s[d] = length;
        return new NDArray(data, s, strides.clone(), offset + start * strides[d]);
    }

    /** Index {@code index} along {@code dim}, with that dimension removed: a view. */
    public NDArray select(int dim, int index) {
        int d = Shape.dim(dim, shape.length, "select");
        int i = index < 0 ? index + shape[d] : index;
        return narrow(d, i, 1).squeeze(d);
    }

    /**
     * Broadcasts dimensions of size 1 to larger sizes (and adds leading dimensions) without copying: the
     * expanded dimensions get stride 0. A size of {@code -1} keeps the current size.
     */
    public NDArray expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand " + Shape.format(shape) + " to fewer dimensions " + Shape.format(newShape));
        }
        int lead = newShape.length - shape.length;
        int[] s = new int[newShape.length];
        int[] st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int own = i < lead ? 1 : shape[i - lead];
            int want = newShape[i] == -1 ? own : newShape[i];
            if (own == want) {
                s[i] = own;
                st[i] = i < lead ? 0 : strides[i - lead];
            } else if (own == 1) {
                s[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand " + Shape.format(shape) + " to " + Shape.format(newShape)
                        + ": dimension " + i + " has size " + own + ", not 1");
            }
        }
        return new NDArray(data, s, st, offset);
    }

    /** Removes dimension {@code dim}, which must have size 1. */
    public NDArray squeeze(int dim) {
        int d = Shape.dim(dim, shape.length, "squeeze");
        if (shape[d] != 1) {
            throw new IllegalArgumentException("squeeze: dimension " + dim + " of " + Shape.format(shape) + " has size " + shape[d] + ", not 1");
        }
        int[] s = new int[shape.length - 1];
        int[] st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        return new NDArray(data, s, st, offset);
    }

    /** Inserts a dimension of size 1 at {@code dim} ({@code -1} appends). */
    public NDArray unsqueeze(int dim) {
        int d = Shape.dim(dim, shape.length + 1, "unsqueeze");
        int[] s = new int[shape.length + 1];
        int[] st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return new NDArray(data, s, st, offset);
    }

    /** This array if it is already contiguous, otherwise a row-major copy. */
    public NDArray contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A new contiguous array with the same elements (always copies). */
    public NDArray copy() {
        float[] out = new float[numel()];
        int n = shape.length == 0 ? 1 : shape[shape.length - 1];
        int step = shape.length == 0 ? 1 : strides[shape.length - 1];
        int[] rows = rowStarts();
        for (int r = 0; r < rows.length; r++) {
            int src = rows[r];
            int dst = r * n;
            if (step == 1) {
                System.arraycopy(data, src, out, dst, n);
            } else {
                for (int i = 0; i < n; i++) out[dst + i] = data[src + i * step];
            }
        }
        return of(out, shape);
    }

    /**
     * Storage position of the first element of every row (the last dimension), in row-major order. Kernels
     * walk a strided view row by row with it.
     */
    int[] rowStarts() {
        int rank = shape.length;
        if (rank == 0) return new int[] {offset};
        int rows = numelWithoutLast();
        int[] starts = new int[rows];
        int[] idx = new int[rank - 1];
        int pos = offset;
        for (int r = 0; r < rows; r++) {
            starts[r] = pos;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                pos += strides[d];
                if (idx[d] < shape[d]) break;
                pos -= idx[d] * strides[d];
                idx[d] = 0;
            }
        }
        return starts;
    }

    private int numelWithoutLast() {
        int n = 1;
        for (int d = 0; d < shape.length - 1; d++) n *= shape[d];
        return n;
    }

    // ---------------------------------------------------------------- element-wise (Elementwise)

    public NDArray add(NDArray other) { return Elementwise.binary(BinaryOp.ADD, this, other); }
    public NDArray sub(NDArray other) { return Elementwise.binary(BinaryOp.SUB, this, other); }
    public NDArray mul(NDArray other) { return Elementwise.binary(BinaryOp.MUL, this, other); }
    public NDArray div(NDArray other) { return Elementwise.binary(BinaryOp.DIV, this, other); }
    /** Element-wise maximum of two arrays (broadcasting). */
    public NDArray maximum(NDArray other) { return Elementwise.binary(BinaryOp.MAX, this, other); }
    /** 1 where {@code this > other}, else 0. */
    public NDArray gt(NDArray other) { return Elementwise.binary(BinaryOp.GT, this, other); }
    public NDArray ge(NDArray other) { return Elementwise.binary(BinaryOp.GE, this, other); }
    public NDArray lt(NDArray other) { return Elementwise.binary(BinaryOp.LT, this, other); }
    public NDArray le(NDArray other) { return Elementwise.binary(BinaryOp.LE, this, other); }
    public NDArray eq(NDArray other) { return Elementwise.binary(BinaryOp.EQ, this, other); }

    public NDArray add(float s) { return Elementwise.binary(BinaryOp.ADD, this, scalar(s)); }
    public NDArray sub(float s) { return Elementwise.binary(BinaryOp.SUB, this, scalar(s)); }
    public NDArray mul(float s) { return Elementwise.binary(BinaryOp.MUL, this, scalar(s)); }
    public NDArray div(float s) { return Elementwise.binary(BinaryOp.DIV, this, scalar(s)); }
    public NDArray gt(float s) { return Elementwise.binary(BinaryOp.GT, this, scalar(s)); }
    public NDArray lt(float s) { return Elementwise.binary(BinaryOp.LT, this, scalar(s)); }
    public NDArray eq(float s) { return Elementwise.binary(BinaryOp.EQ, this, scalar(s)); }
    /** Each element raised to the power {@code p}. */
    public NDArray pow(float p) { return Elementwise.binary(BinaryOp.POW, this, scalar(p)); }

    public NDArray neg() { return Elementwise.unary(UnaryOp.NEG, this); }
    public NDArray exp() { return Elementwise.unary(UnaryOp.EXP, this); }
    public NDArray log() { return Elementwise.unary(UnaryOp.LOG, this); }
    public NDArray sqrt() { return Elementwise.unary(UnaryOp.SQRT, this); }
    public NDArray tanh() { return Elementwise.unary(UnaryOp.TANH, this); }
    public NDArray abs() { return Elementwise.unary(UnaryOp.ABS, this); }
    public NDArray relu() { return Elementwise.unary(UnaryOp.RELU, this); }
    public NDArray sigmoid() { return Elementwise.unary(UnaryOp.SIGMOID, this); }
    /** 1 where the element is positive, else 0 (the derivative of ReLU). */
    public NDArray step() { return Elementwise.unary(UnaryOp.STEP, this); }

    /** {@code this += other} in place (other broadcasts to this shape); this must be contiguous. */
    public void addInPlace(NDArray other) { Elementwise.addInPlace(this, other); }

    /** Sets every element to {@code value} in place. */
    public void fill(float value) {
        if (!isContiguous()) throw new IllegalStateException("fill: needs a contiguous array, got strides " + Arrays.toString(strides));
        Arrays.fill(data, offset, offset + numel(), value);
    }

    // ---------------------------------------------------------------- reductions (Reductions)

    /** Sum of all elements, as a 0-dimensional array. */
    public NDArray sum() { return Reductions.sumAll(this); }
    public NDArray sum(int dim, boolean keepDim) { return Reductions.sum(this, dim, keepDim); }
    public NDArray mean() { return Reductions.sumAll(this).div(Math.max(numel(), 1)); }
    public NDArray mean(int dim, boolean keepDim) { return Reductions.sum(this, dim, keepDim).div(dim(dim)); }
    public NDArray max(int dim, boolean keepDim) { return Reductions.max(this, dim, keepDim); }
    /** Index of the largest element along {@code dim} (the first one on ties). */
    public IntNDArray argmax(int dim) { return Reductions.argmax(this, dim); }
    /** Variance along {@code dim}; {@code unbiased} divides by n-1 (PyTorch's default), else by n. */
    public NDArray var(int dim, boolean unbiased, boolean keepDim) { return Reductions.var(this, dim, unbiased, keepDim); }
    /** Sums broadcast dimensions away so the result has {@code target} shape: the reverse of broadcasting. */
    public NDArray sumTo(int... target) { return Reductions.sumTo(this, target); }

    // ---------------------------------------------------------------- linear algebra, softmax

    /** Matrix product with broadcast batch dimensions, like {@code torch.matmul}. */
    public NDArray matmul(NDArray other) { return MatMul.matmul(this, other); }
    public NDArray softmax(int dim) { return Softmax.softmax(this, dim); }
    public NDArray logSoftmax(int dim) { return Softmax.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- masks, joins, indexing

    /** Keeps the lower triangle of the last two dimensions (elements with {@code col - row <= k}), zero elsewhere. */
    public NDArray tril(int k) { return Masking.tril(this, k); }
    /** Keeps the upper triangle of the last two dimensions (elements with {@code col - row >= k}), zero elsewhere. */
    public NDArray triu(int k) { return Masking.triu(this, k); }
    /** {@code value} where {@code mask} (broadcast) is non-zero, this array elsewhere. */
    public NDArray maskedFill(NDArray mask, float value) { return Masking.maskedFill(this, mask, value); }
    /** {@code a} where {@code cond} is non-zero, else {@code b}; all three broadcast. */
    public static NDArray where(NDArray cond, NDArray a, NDArray b) { return Masking.where(cond, a, b); }

    public static NDArray concat(List<NDArray> parts, int dim) { return Joining.concat(parts, dim); }
    public static NDArray stack(List<NDArray> parts, int dim) { return Joining.stack(parts, dim); }
    /** Views of consecutive chunks of {@code size} along {@code dim} (the last may be shorter). */
    public List<NDArray> split(int size, int dim) { return Joining.split(this, size, dim); }

    /** {@code out[i][j] = this[i][index[i][j]]} for {@code dim = 1}, like {@code torch.gather}. */
    public NDArray gather(int dim, IntNDArray index) { return Indexing.gather(this, dim, index); }
    /** The slices at {@code index} along {@code dim}, like {@code torch.index_select}. */
    public NDArray indexSelect(int dim, IntNDArray index) { return Indexing.indexSelect(this, dim, index); }

    // ---------------------------------------------------------------- sampling

    /** The {@code k} largest values along {@code dim} and their indices, largest first. */
    public TopK topk(int k, int dim) { return Sampling.topk(this, k, dim); }

    @Override
    public String toString() {
        return Printing.format(this);
    }
}
