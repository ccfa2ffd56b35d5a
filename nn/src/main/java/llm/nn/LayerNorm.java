package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Layer normalisation over the last dimension with a learned {@code scale} (ones) and {@code shift} (zeros),
 * eps 1e-5 and the biased variance: the book's {@code LayerNorm} (§4.2), computed by the fused kernel.
 */
public final class LayerNorm extends Module implements Layer {
    public static final float EPS = 1e-5f;
    public final Tensor scale; // (dim)
    public final Tensor shift; // (dim)

    public LayerNorm(int dim) {
        this.scale = registerParameter("scale", Tensor.parameter(NDArray.ones(dim)));
        this.shift = registerParameter("shift", Tensor.parameter(NDArray.zeros(dim)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return llm.autograd.fused.FusedLayerNorm.apply(x, scale, shift, EPS);
    }
}
