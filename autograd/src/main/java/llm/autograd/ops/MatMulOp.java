package llm.autograd.ops;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Matrix product with broadcast batch dimensions (Book Appendix A.2, §3.3). For {@code C = A·B} the gradients
 * are {@code dA = dC·Bᵀ} and {@code dB = Aᵀ·dC}; the transposes are views, read in place by the kernel.
 */
public final class MatMulOp {
    private MatMulOp() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);   // a row vector
        if (b.rank() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);   // a column vector
        NDArray out = a.data().matmul(b.data());
        return Graph.record(out, "matmul", List.of(a, b), g -> {
            if (a.requiresGrad()) a.accumulateFreshGrad(g.matmul(b.data().transpose(-1, -2)).sumTo(a.shape()));
            if (b.requiresGrad()) b.accumulateFreshGrad(a.data().transpose(-1, -2).matmul(g).sumTo(b.shape()));
        });
    }
}
