package llm.autograd.fused;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/**
 * The linear layer {@code y = x·Wᵀ + b} (Book §3.4.2, {@code torch.nn.Linear}) with its backward pass written
 * out, as llm.c's {@code matmul_forward}/{@code matmul_backward}: the input's leading dimensions are folded into
 * one, so each product is a single matrix multiply, and every transpose is a view the multiply reads in place.
 * <pre>
 * forward   y  (N, out) = x (N, in) · Wᵀ                 + b
 * backward  dx (N, in)  = dy (N, out) · W (out, in)
 *           dW (out, in) = dyᵀ (out, N) · x (N, in)       already in W's layout
 *           db (out)     = Σ over rows of dy
 * </pre>
 * {@link #composed} is the same layer from the generic {@code matmul}, {@code transpose} and {@code add}; there
 * the weight's gradient comes out per batch element, is summed over the batch and transposed back, which costs a
 * (B, in, out) array and two copies of W-sized arrays; the tests check one against the other.
 */
public final class FusedLinear {
    private FusedLinear() {}

    /** {@code x (..., in)}, {@code weight (out, in)}, {@code bias (out)} or null; returns {@code (..., out)}. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        int out = weight.dim(0), in = weight.dim(1);
        if (x.rank() < 1 || x.dim(-1) != in) {
            throw new IllegalArgumentException("linear: input " + Shape.format(x.shape()) + " does not end in the weight's "
                    + in + " input features (weight " + Shape.format(weight.shape()) + ")");
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw new IllegalArgumentException("linear: bias " + Shape.format(bias.shape()) + " does not match the weight's " + out + " outputs");
        }
        int n = x.numel() / in;
        NDArray x2 = x.data().contiguous().view(n, in);
        NDArray w = weight.data();
        NDArray y = x2.matmul(w.transpose(0, 1));                  // (n, out)
        if (bias != null) y.addInPlace(bias.data());
        int[] outShape = x.shape().clone();
        outShape[outShape.length - 1] = out;
        List<Tensor> inputs = new ArrayList<>(List.of(x, weight));
        if (bias != null) inputs.add(bias);
        return Graph.record(y.view(outShape), "linear", inputs, g -> {
            NDArray g2 = g.contiguous().view(n, out);
            if (x.requiresGrad()) x.accumulateFreshGrad(g2.matmul(w).view(x.shape()));
            if (weight.requiresGrad()) weight.accumulateFreshGrad(g2.transpose(0, 1).matmul(x2));
            if (bias != null && bias.requiresGrad()) bias.accumulateFreshGrad(g2.sum(0, false));
        });
    }

    /** The same layer from primitives, the reference for {@link #apply}. */
    public static Tensor composed(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = x.matmul(weight.transpose(0, 1));
        return bias == null ? y : y.add(bias);
    }
}
