package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/** Masking (Book §3.5.1, causal attention): filled or zeroed positions pass no gradient back. */
public final class MaskOps {
    private MaskOps() {}

    public static Tensor maskedFill(Tensor x, NDArray mask, float value) {
        return Graph.record(x.data().maskedFill(mask, value), "maskedFill", List.of(x),
                g -> x.accumulateGrad(g.maskedFill(mask, 0f)));
    }

    public static Tensor tril(Tensor x, int k) {
        return Graph.record(x.data().tril(k), "tril", List.of(x), g -> x.accumulateGrad(g.tril(k)));
    }

    public static Tensor triu(Tensor x, int k) {
        return Graph.record(x.data().triu(k), "triu", List.of(x), g -> x.accumulateGrad(g.triu(k)));
    }

    public static Tensor where(NDArray cond, Tensor a, Tensor b) {
        NDArray zero = NDArray.scalar(0f);
        return Graph.record(NDArray.where(cond, a.data(), b.data()), "where", List.of(a, b), g -> {
            if (a.requiresGrad()) a.accumulateGrad(NDArray.where(cond, g, zero).sumTo(a.shape()));
            if (b.requiresGrad()) b.accumulateGrad(NDArray.where(cond, zero, g).sumTo(b.shape()));
        });
    }
}
