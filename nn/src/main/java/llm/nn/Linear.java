package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * {@code y = x · Wᵀ + b}, like {@code torch.nn.Linear} (Book §3.4.2): weight {@code (out, in)}, bias {@code
 * (out)}, both initialised uniformly in {@code ±1/sqrt(in)} (PyTorch's default). The product reads {@code W}
 * transposed in place; no copy is made.
 */
public final class Linear extends Module implements Layer {
    public final Tensor weight;  // (out, in)
    public final Tensor bias;    // (out), or null

    public Linear(int in, int out, boolean bias, SeededRandom rng) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        this.weight = registerParameter("weight", Tensor.parameter(NDArray.kaimingUniform(rng, in, out, in)));
        this.bias = bias ? registerParameter("bias", Tensor.parameter(NDArray.kaimingUniform(rng, in, out))) : null;
    }

    private Linear(Tensor sharedWeight) {
        this.weight = registerParameter("weight", sharedWeight);
        this.bias = null;
    }

    /**
     * A bias-free layer whose weight is {@code weight} itself, not a copy: weight tying (Book §4.6), where
     * GPT-2's output head reuses the token embedding matrix {@code (V, C)}.
     */
    public static Linear sharing(Tensor weight) {
        if (weight.rank() != 2) throw new IllegalArgumentException("Linear.sharing: weight must be (out, in), got rank " + weight.rank());
        return new Linear(weight);
    }

    /** {@code (..., in) -> (..., out)}. */
    @Override
    public Tensor forward(Tensor x) {
        return llm.autograd.fused.FusedLinear.apply(x, weight, bias);   // x·Wᵀ + b, with llm.c's explicit backward
    }
}
