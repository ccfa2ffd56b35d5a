package llm.examples;

import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Book Appendix A.4, "Automatic differentiation made easy": a one-weight logistic regression, its binary
 * cross-entropy loss, and the gradients that {@code backward()} finds. The book prints
 * {@code (tensor([-0.0898]),)} and {@code (tensor([-0.0817]),)}.
 */
public final class AppA4AutomaticDifferentiation {
    private AppA4AutomaticDifferentiation() {}

    public static void main(String[] args) {
        Tensor y = Tensor.constant(NDArray.of(new float[] {1.0f}, 1));   // true label
        Tensor x1 = Tensor.constant(NDArray.of(new float[] {1.1f}, 1));  // input feature
        Tensor w1 = Tensor.parameter(NDArray.of(new float[] {2.2f}, 1)); // weight
        Tensor b = Tensor.parameter(NDArray.of(new float[] {0.0f}, 1));  // bias

        Tensor z = x1.mul(w1).add(b);
        Tensor a = z.sigmoid();
        // binary cross-entropy, -(y log a + (1 - y) log(1 - a)), composed of primitives
        Tensor loss = y.mul(a.log()).add(y.neg().add(1f).mul(a.neg().add(1f).log())).neg().mean();

        loss.backward();
        System.out.printf("loss      = %.4f%n", loss.item());
        System.out.printf("dL/dw1    = %.4f%n", w1.grad().item());
        System.out.printf("dL/db     = %.4f%n", b.grad().item());
    }
}
