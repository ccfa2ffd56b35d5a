package llm.autograd.ops;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/** Concatenation (its gradient is split back into the pieces), stacking and splitting (composed). */
public final class JoinOps {
    private JoinOps() {}

    public static Tensor concat(List<Tensor> parts, int dim) {
        List<NDArray> values = new ArrayList<>();
        for (Tensor p : parts) values.add(p.data());
        NDArray out = NDArray.concat(values, dim);
        int d = Shape.dim(dim, out.rank(), "concat");
        return Graph.record(out, "concat", parts, g -> {
            int at = 0;
            for (Tensor p : parts) {
                int size = p.dim(d);
                if (p.requiresGrad()) p.accumulateGrad(g.narrow(d, at, size).contiguous());
                at += size;
            }
        });
    }

    public static Tensor stack(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) throw new IllegalArgumentException("stack: no tensors given");
        int d = Shape.dim(dim, parts.get(0).rank() + 1, "stack");
        List<Tensor> lifted = new ArrayList<>();
        for (Tensor p : parts) lifted.add(p.unsqueeze(d));
        return concat(lifted, d);
    }

    public static List<Tensor> split(Tensor x, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
        int d = Shape.dim(dim, x.rank(), "split");
        List<Tensor> out = new ArrayList<>();
        for (int start = 0; start < x.dim(d); start += size) out.add(x.narrow(d, start, Math.min(size, x.dim(d) - start)));
        return out;
    }
}
