package llm.tensor;

import java.util.Arrays;

/**
 * A contiguous n-dimensional array of {@code int}: token ids, class labels and the indices that
 * {@link NDArray#argmax}, {@link NDArray#topk} and sampling return.
 *
 * <p>Book §2.6 turns text into tensors of token ids; this is that tensor. It is deliberately simple
 * (always row-major, no views but {@link #view}) because nothing differentiates through integers.
 *
 * {@snippet :
 * IntNDArray ids = IntNDArray.of(new int[] {40, 367, 2885, 1464}, 1, 4); // batch 1, 4 tokens
 * }
 */
public final class IntNDArray {
    private final int[] data;
    private final int[] shape;

    private IntNDArray(int[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** Wraps {@code data} (not copied) with the given shape; no shape means 1-D (or a scalar, for one value). */
    public static IntNDArray of(int[] data, int... shape) {
        if (shape.length == 0 && data.length != 1) shape = new int[] {data.length};
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException("IntNDArray.of: " + data.length + " values do not fill shape " + Shape.format(shape));
        }
        return new IntNDArray(data, shape.clone());
    }

    /** A 2-D array from rows of equal length, copied. */
    public static IntNDArray of(int[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        int[] data = new int[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("IntNDArray.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return of(data, rows.length, cols);
    }

    public static IntNDArray zeros(int... shape) {
        return of(new int[Shape.numel(shape)], shape);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int d) {
        return shape[Shape.dim(d, shape.length, "dim")];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** Rows {@code from .. to-1} along the first dimension, copied. */
    public IntNDArray rows(int from, int to) {
        int b = shape[0];
        if (from < 0 || to > b || from >= to) throw new IllegalArgumentException("rows " + from + ".." + to + " of " + b);
        int per = data.length / b;
        int[] s = shape.clone();
        s[0] = to - from;
        return of(java.util.Arrays.copyOfRange(data, from * per, to * per), s);
    }

    /** The backing array, row-major. */
    public int[] storage() {
        return data;
    }

    public int get(int... index) {
        return data[position(index)];
    }

    public void set(int value, int... index) {
        data[position(index)] = value;
    }

    private int position(int[] index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index of length " + index.length + " for shape " + Shape.format(shape));
        int p = 0;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " out of range for dimension " + d + " of size " + shape[d]);
            }
            p = p * shape[d] + index[d];
        }
        return p;
    }

    /** The same values with another shape (one size may be -1). */
    public IntNDArray view(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) infer = i;
            else known *= s[i];
        }
        if (infer >= 0 && known > 0) s[infer] = data.length / known;
        if (Shape.numel(s) != data.length) {
            throw new IllegalArgumentException("view: cannot view " + Shape.format(shape) + " as " + Shape.format(newShape));
        }
        return new IntNDArray(data, s);
    }

    public int[] toArray() {
        return data.clone();
    }

    @Override
    public String toString() {
        return "IntNDArray" + Shape.format(shape) + " " + (data.length <= 64 ? Arrays.toString(data) : "[" + data.length + " values]");
    }
}
