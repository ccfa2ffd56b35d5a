package llm.tensor;

import java.util.Arrays;

/**
 * Rules about shapes: element counts, contiguous strides, dimension indices and NumPy broadcasting.
 *
 * <p>Book Appendix A.2 introduces tensors; broadcasting follows NumPy's rule, which PyTorch uses too:
 * align the shapes at their last dimension, and two sizes agree when they are equal or one of them is 1.
 */
public final class Shape {
    private Shape() {}

    /** Number of elements of a tensor with this shape (1 for a scalar of shape {@code ()}). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + format(shape));
            try {
                n = Math.multiplyExact(n, s);       // [2^21, 2^21, 2^22] would wrap to 0 elements
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + format(shape) + " has more elements than a long counts");
            }
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + format(shape) + " has " + n
                    + " elements, more than a Java array holds (2^31 - 1)");
        }
        return (int) n;
    }

    /** Row-major strides: the last dimension moves fastest. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /**
     * Turns a possibly negative dimension index ({@code -1} is the last) into {@code 0..rank-1}.
     *
     * @param op the operation asking, named in the error message
     */
    public static int dim(int dim, int rank, String op) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /**
     * The shape two operands broadcast to.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    public static int[] broadcast(int[] a, int[] b, String op) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int sa = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int sb = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException(op + ": shapes " + format(a) + " and " + format(b)
                        + " do not broadcast: dimension " + (i - rank) + " has sizes " + sa + " and " + sb);
            }
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /** {@code (2, 3, 4)}, the way PyTorch prints a shape. */
    public static String format(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** True when both shapes have the same rank and sizes. */
    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }
}
