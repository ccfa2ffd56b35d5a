package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/** Element-wise functions of one tensor and their derivatives (Book Appendix A.4 and §4.3). */
public final class Activations {
    private Activations() {}

    public static Tensor exp(Tensor x) {
        NDArray out = x.data().exp();
        return Graph.record(out, "exp", List.of(x), g -> x.accumulateGrad(g.mul(out)));                 // e^x
    }

    public static Tensor log(Tensor x) {
        return Graph.record(x.data().log(), "log", List.of(x), g -> x.accumulateGrad(g.div(x.data()))); // 1/x
    }

    public static Tensor sqrt(Tensor x) {
        NDArray out = x.data().sqrt();
        return Graph.record(out, "sqrt", List.of(x), g -> x.accumulateGrad(g.div(out).mul(0.5f)));     // 1/(2√x)
    }

    public static Tensor tanh(Tensor x) {
        NDArray out = x.data().tanh();
        return Graph.record(out, "tanh", List.of(x),
                g -> x.accumulateGrad(g.mul(NDArray.scalar(1f).sub(out.mul(out)))));                  // 1 - tanh²
    }

    public static Tensor relu(Tensor x) {
        return Graph.record(x.data().relu(), "relu", List.of(x), g -> x.accumulateGrad(g.mul(x.data().step()))); // 1 if x > 0
    }

    public static Tensor sigmoid(Tensor x) {
        NDArray out = x.data().sigmoid();
        return Graph.record(out, "sigmoid", List.of(x),
                g -> x.accumulateGrad(g.mul(out).mul(NDArray.scalar(1f).sub(out))));                  // σ(1-σ)
    }
}
