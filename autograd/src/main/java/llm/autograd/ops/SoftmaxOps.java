package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Softmax and log-softmax with their own backward rules (Book §3.3.1). Written as primitives rather than
 * composed from exp, sum and div because the fused form is stable for large logits and saves memory.
 */
public final class SoftmaxOps {
    private SoftmaxOps() {}

    public static Tensor softmax(Tensor x, int dim) {
        NDArray y = x.data().softmax(dim);
        return Graph.record(y, "softmax", List.of(x), g -> {
            // dx = y · (g - Σ g·y): the Jacobian diag(y) - y yᵀ applied to g
            NDArray dot = g.mul(y).sum(dim, true);
            x.accumulateGrad(y.mul(g.sub(dot)));
        });
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        NDArray y = x.data().logSoftmax(dim);
        return Graph.record(y, "logSoftmax", List.of(x), g -> {
            // dx = g - softmax(x) · Σ g
            x.accumulateGrad(g.sub(y.exp().mul(g.sum(dim, true))));
        });
    }

    /** Softmax composed of primitives: the reference the fused rule is tested against. */
    public static Tensor softmaxComposed(Tensor x, int dim) {
        Tensor shifted = x.sub(x.max(dim, true).detach()); // subtracting a constant changes nothing but overflow
        Tensor e = shifted.exp();
        return e.div(e.sum(dim, true));
    }
}
