package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * The four arithmetic operations with broadcasting, negation and powers (Book Appendix A.4). Each method
 * computes its output and states its derivative right next to it; {@code sumTo} folds a broadcast gradient
 * back to the input's shape.
 */
public final class Arithmetic {
    private Arithmetic() {}

    public static Tensor add(Tensor a, Tensor b) {
        NDArray out = a.data().add(b.data());
        return Graph.record(out, "add", List.of(a, b), g -> {
            a.accumulateGrad(g.sumTo(a.shape()));                  // d(a+b)/da = 1
            b.accumulateGrad(g.sumTo(b.shape()));                  // d(a+b)/db = 1
        });
    }

    public static Tensor sub(Tensor a, Tensor b) {
        NDArray out = a.data().sub(b.data());
        return Graph.record(out, "sub", List.of(a, b), g -> {
            a.accumulateGrad(g.sumTo(a.shape()));                  // d(a-b)/da = 1
            if (b.requiresGrad()) b.accumulateGrad(g.neg().sumTo(b.shape())); // d(a-b)/db = -1
        });
    }

    public static Tensor mul(Tensor a, Tensor b) {
        NDArray out = a.data().mul(b.data());
        return Graph.record(out, "mul", List.of(a, b), g -> {
            if (a.requiresGrad()) a.accumulateGrad(g.mul(b.data()).sumTo(a.shape())); // d(ab)/da = b
            if (b.requiresGrad()) b.accumulateGrad(g.mul(a.data()).sumTo(b.shape())); // d(ab)/db = a
        });
    }

    public static Tensor div(Tensor a, Tensor b) {
        NDArray out = a.data().div(b.data());
        return Graph.record(out, "div", List.of(a, b), g -> {
            if (a.requiresGrad()) a.accumulateGrad(g.div(b.data()).sumTo(a.shape()));               // 1/b
            if (b.requiresGrad()) b.accumulateGrad(g.mul(out).div(b.data()).neg().sumTo(b.shape())); // -a/b² = -out/b
        });
    }

    public static Tensor neg(Tensor a) {
        return Graph.record(a.data().neg(), "neg", List.of(a), g -> a.accumulateGrad(g.neg()));
    }

    /** {@code a^p} for a constant exponent. */
    public static Tensor pow(Tensor a, float p) {
        NDArray out = a.data().pow(p);
        return Graph.record(out, "pow", List.of(a), g -> a.accumulateGrad(g.mul(a.data().pow(p - 1)).mul(p))); // p·a^(p-1)
    }
}
