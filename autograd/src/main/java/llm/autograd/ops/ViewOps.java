package llm.autograd.ops;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/**
 * Operations that only change how elements are seen: reshape, permute, narrow, expand. Their gradient is the
 * inverse movement applied to the output gradient (tinygrad's movement ops).
 */
public final class ViewOps {
    private ViewOps() {}

    public static Tensor reshape(Tensor x, int[] shape, String op) {
        int[] before = x.shape();
        NDArray out = op.equals("view") ? x.data().view(shape) : x.data().reshape(shape);
        return Graph.record(out, op, List.of(x), g -> x.accumulateGrad(g.reshape(before)));
    }

    public static Tensor transpose(Tensor x, int d0, int d1) {
        return Graph.record(x.data().transpose(d0, d1), "transpose", List.of(x), g -> x.accumulateGrad(g.transpose(d0, d1).contiguous()));
    }

    public static Tensor permute(Tensor x, int[] order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[Shape.dim(order[i], order.length, "permute")] = i;
        return Graph.record(x.data().permute(order), "permute", List.of(x), g -> x.accumulateGrad(g.permute(inverse).contiguous()));
    }

    /** A slice along one dimension; its gradient is the output gradient padded with zeros back to full size. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.dim(dim, x.rank(), "narrow");
        int[] shape = x.shape();
        return Graph.record(x.data().narrow(d, start, length), "narrow", List.of(x), g -> {
            List<NDArray> parts = new ArrayList<>();
            if (start > 0) parts.add(zerosLike(shape, d, start));
            parts.add(g);
            int after = shape[d] - start - length;
            if (after > 0) parts.add(zerosLike(shape, d, after));
            x.accumulateGrad(parts.size() == 1 ? g.contiguous() : NDArray.concat(parts, d));
        });
    }

    private static NDArray zerosLike(int[] shape, int d, int size) {
        int[] s = shape.clone();
        s[d] = size;
        return NDArray.zeros(s);
    }

    public static Tensor expand(Tensor x, int[] shape) {
        int[] before = x.shape();
        return Graph.record(x.data().expand(shape), "expand", List.of(x), g -> x.accumulateGrad(g.sumTo(before).reshape(before)));
    }

    public static Tensor contiguous(Tensor x) {
        if (x.data().isContiguous()) return x;
        return Graph.record(x.data().contiguous(), "contiguous", List.of(x), g -> x.accumulateGrad(g));
    }

    public static Tensor flatten(Tensor x, int start, int end) {
        int[] s = x.shape();
        int a = Shape.dim(start, s.length, "flatten"), b = Shape.dim(end, s.length, "flatten");
        int[] out = new int[s.length - (b - a)];
        int j = 0;
        for (int i = 0; i < a; i++) out[j++] = s[i];
        int merged = 1;
        for (int i = a; i <= b; i++) merged *= s[i];
        out[j++] = merged;
        for (int i = b + 1; i < s.length; i++) out[j++] = s[i];
        return reshape(x, out, "reshape");
    }
}
