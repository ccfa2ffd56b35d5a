package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Element-wise minimum, maximum and clamp, with broadcasting: what PPO's clipped objective and clipped value loss
 * are written with (Book chapter 8, {@code torch.min}, {@code torch.max}, {@code torch.clamp}). The gradient flows
 * to the input that was selected (to the first on a tie, as for PyTorch's {@code torch.clamp} edges it flows
 * inside the closed range).
 */
public final class MinMax {
    private MinMax() {}

    public static Tensor minimum(Tensor a, Tensor b) {
        NDArray pickA = a.data().le(b.data());                           // 1 where a is the minimum
        return select(pickA, a, b, "minimum");
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        NDArray pickA = a.data().ge(b.data());                           // 1 where a is the maximum
        return select(pickA, a, b, "maximum");
    }

    private static Tensor select(NDArray pickA, Tensor a, Tensor b, String name) {
        NDArray out = NDArray.where(pickA, a.data(), b.data());
        return Graph.record(out, name, List.of(a, b), g -> {
            if (a.requiresGrad()) a.accumulateGrad(g.mul(pickA).sumTo(a.shape()));                       // 1 where a was picked
            if (b.requiresGrad()) b.accumulateGrad(g.mul(NDArray.scalar(1f).sub(pickA)).sumTo(b.shape())); // 1 elsewhere
        });
    }

    /** {@code min(max(x, lo), hi)}; the gradient is 1 inside {@code [lo, hi]} and 0 outside. */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: the lower bound " + lo + " is above the upper bound " + hi);
        NDArray low = NDArray.scalar(lo), high = NDArray.scalar(hi);
        NDArray inside = x.data().ge(low).mul(x.data().le(high));
        NDArray raised = x.data().maximum(low);
        NDArray out = NDArray.where(raised.le(high), raised, high);
        return Graph.record(out, "clamp", List.of(x), g -> x.accumulateGrad(g.mul(inside)));
    }
}
