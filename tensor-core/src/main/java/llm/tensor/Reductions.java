package llm.tensor;

/**
 * Reductions over one dimension: sum, max, argmax, variance, and {@code sumTo}, which undoes broadcasting
 * (the backward pass of every broadcasting operation needs it). Book Appendix A.2 and §4.2 (LayerNorm's
 * mean and variance).
 *
 * <p>A contiguous array reduced over dimension {@code d} is viewed as {@code (outer, n, inner)}: {@code
 * outer} is the product of the sizes before {@code d}, {@code n} the size of {@code d}, {@code inner} the
 * product of those after. Reducing the last dimension ({@code inner == 1}) sums contiguous rows; reducing
 * an earlier one adds whole contiguous slabs of {@code inner} numbers. Both run in vector loops.
 */
final class Reductions {
    private Reductions() {}

    static NDArray sumAll(NDArray x) {
        NDArray c = x.contiguous();
        return NDArray.scalar(ReductionKernels.sum(c.storage(), c.offset(), c.numel()));
    }

    static NDArray sum(NDArray x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.rank(), "sum");
        NDArray c = x.contiguous();
        int[] s = c.shape();
        int outer = prefix(s, d), n = s[d], inner = suffix(s, d);
        float[] in = c.storage();
        int base = c.offset();
        float[] out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            int row = base + o * n * inner;
            if (inner == 1) {
                out[o] = ReductionKernels.sum(in, row, n);
            } else {
                for (int k = 0; k < n; k++) {
                    ElementwiseKernels.binaryVector(BinaryOp.ADD, out, o * inner, 1, in, row + k * inner, 1, out, o * inner, inner);
                }
            }
        }
        return NDArray.of(out, reducedShape(s, d, keepDim));
    }

    static NDArray max(NDArray x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.rank(), "max");
        NDArray c = x.contiguous();
        int[] s = c.shape();
        int outer = prefix(s, d), n = s[d], inner = suffix(s, d);
        if (n == 0) throw new IllegalArgumentException("max: dimension " + dim + " of " + Shape.format(s) + " is empty");
        float[] in = c.storage();
        int base = c.offset();
        float[] out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int p = base + o * n * inner + i;
                if (inner == 1) {
                    out[o] = ReductionKernels.max(in, p, n);
                } else {
                    float m = in[p];
                    for (int k = 1; k < n; k++) m = Math.max(m, in[p + k * inner]);
                    out[o * inner + i] = m;
                }
            }
        }
        return NDArray.of(out, reducedShape(s, d, keepDim));
    }

    static IntNDArray argmax(NDArray x, int dim) {
        int d = Shape.dim(dim, x.rank(), "argmax");
        NDArray c = x.contiguous();
        int[] s = c.shape();
        int outer = prefix(s, d), n = s[d], inner = suffix(s, d);
        if (n == 0) throw new IllegalArgumentException("argmax: dimension " + dim + " of " + Shape.format(s) + " is empty");
        float[] in = c.storage();
        int base = c.offset();
        int[] out = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int p = base + o * n * inner + i;
                int best = 0;
                for (int k = 1; k < n; k++) if (in[p + k * inner] > in[p + best * inner]) best = k;
                out[o * inner + i] = best;
            }
        }
        return IntNDArray.of(out, reducedShape(s, d, false));
    }

    static NDArray var(NDArray x, int dim, boolean unbiased, boolean keepDim) {
        int d = Shape.dim(dim, x.rank(), "var");
        NDArray c = x.contiguous();
        int[] s = c.shape();
        int outer = prefix(s, d), n = s[d], inner = suffix(s, d);
        float[] in = c.storage();
        int base = c.offset();
        float[] out = new float[outer * inner];
        int dof = unbiased ? n - 1 : n;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int p = base + o * n * inner + i;
                double mean = 0;
                for (int k = 0; k < n; k++) mean += in[p + k * inner];
                mean /= n;
                double ss = 0;
                for (int k = 0; k < n; k++) {
                    double dev = in[p + k * inner] - mean;
                    ss += dev * dev;
                }
                out[o * inner + i] = (float) (ss / dof);
            }
        }
        return NDArray.of(out, reducedShape(s, d, keepDim));
    }

    static NDArray sumTo(NDArray x, int[] target) {
        int[] s = x.shape();
        if (Shape.same(s, target)) return x;
        if (!Shape.same(Shape.broadcast(s, target, "sumTo"), s)) {
            throw new IllegalArgumentException("sumTo: " + Shape.format(target) + " does not broadcast to " + Shape.format(s));
        }
        NDArray r = x;
        int lead = s.length - target.length;
        if (lead > 0) r = sum(r.reshape(concatLead(s, lead)), 0, false);
        for (int d = 0; d < target.length; d++) {
            if (target[d] == 1 && r.dim(d) != 1) r = sum(r, d, true);
        }
        return r;
    }

    /** {@code (a, b, c, rest...)} with {@code lead=3} becomes {@code (a*b*c, rest...)}. */
    private static int[] concatLead(int[] s, int lead) {
        int[] out = new int[s.length - lead + 1];
        out[0] = prefix(s, lead);
        System.arraycopy(s, lead, out, 1, s.length - lead);
        return out;
    }

    static int prefix(int[] s, int d) {
        int p = 1;
        for (int i = 0; i < d; i++) p *= s[i];
        return p;
    }

    static int suffix(int[] s, int d) {
        int p = 1;
        for (int i = d + 1; i < s.length; i++) p *= s[i];
        return p;
    }

    static int[] reducedShape(int[] s, int d, boolean keepDim) {
        if (keepDim) {
            int[] k = s.clone();
            k[d] = 1;
            return k;
        }
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
        return r;
    }
}
