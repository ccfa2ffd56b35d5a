package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.Indexing;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/** Sum and max over dimensions (primitives with backward rules) and variance (composed from them). */
public final class ReduceOps {
    private ReduceOps() {}

    public static Tensor sumAll(Tensor x) {
        int[] shape = x.shape();
        return Graph.record(x.data().sum(), "sum", List.of(x), g -> x.accumulateGrad(g.expand(shape).contiguous())); // every input counts once
    }

    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.rank(), "sum");
        int[] shape = x.shape();
        return Graph.record(x.data().sum(d, keepDim), "sum", List.of(x), g -> {
            NDArray kept = keepDim ? g : g.unsqueeze(d);
            x.accumulateGrad(kept.expand(shape).contiguous());
        });
    }

    /** The maximum along a dimension; the gradient flows to the position that held it (the first, on ties). */
    public static Tensor max(Tensor x, int dim, boolean keepDim) {
        int d = Shape.dim(dim, x.rank(), "max");
        int[] shape = x.shape();
        IntNDArray where = x.data().argmax(d);
        return Graph.record(x.data().max(d, keepDim), "max", List.of(x), g -> {
            int[] kept = shape.clone();
            kept[d] = 1;
            x.accumulateGrad(Indexing.scatterAdd(shape, d, where.view(kept), g.reshape(kept)));
        });
    }

    /** {@code mean((x - mean(x))²)}, over n-1 when unbiased: composed, so its gradient comes for free. */
    public static Tensor var(Tensor x, int dim, boolean unbiased, boolean keepDim) {
        int n = x.dim(dim);
        Tensor centered = x.sub(x.mean(dim, true));
        return centered.mul(centered).sum(dim, keepDim).div(unbiased ? n - 1 : n);
    }
}
