package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.LayerNormKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.Shape;

/**
 * Layer normalisation over the last dimension (Book §4.2): {@code (x - mean) / sqrt(var + eps) * scale +
 * shift}, with the biased variance (divide by C), as the book's {@code LayerNorm} and PyTorch do.
 *
 * <p>Fused, llm.c style: {@link LayerNormKernels} saves each row's mean and reciprocal standard deviation in
 * the forward pass and uses the closed-form gradient in the backward. {@link #composed} is the same function
 * built from primitives.
 */
public final class FusedLayerNorm {
    private FusedLayerNorm() {}

    /** {@code x (..., C)}, {@code scale (C)}, {@code shift (C)} to {@code (..., C)}, rows on the default threads. */
    public static Tensor apply(Tensor x, Tensor scale, Tensor shift, float eps) {
        return apply(x, scale, shift, eps, Parallelism.DEFAULT);
    }

    /** The same on the threads of {@code par}. */
    public static Tensor apply(Tensor x, Tensor scale, Tensor shift, float eps, Parallelism par) {
        int c = x.dim(-1);
        if (scale.rank() != 1 || scale.dim(0) != c || shift.rank() != 1 || shift.dim(0) != c) {
            throw new IllegalArgumentException("layerNorm: x " + Shape.format(x.shape()) + " needs scale and shift of shape (" + c
                    + ",), got " + Shape.format(scale.shape()) + " and " + Shape.format(shift.shape()));
        }
        NDArray xc = x.data().contiguous();
        float[] in = xc.storage();
        int base = xc.offset();
        float[] w = scale.data().contiguous().toArray();
        float[] b = shift.data().contiguous().toArray();
        int rows = xc.numel() / c;
        float[] out = new float[rows * c];
        float[] mean = new float[rows];   // saved for backward, (rows)
        float[] rstd = new float[rows];   // saved for backward, (rows)
        LayerNormKernels.forward(in, base, w, b, eps, out, mean, rstd, rows, c, par);
        return Graph.record(NDArray.of(out, x.shape()), "layerNorm", List.of(x, scale, shift), g -> {
            NDArray gc = g.contiguous();
            float[] dx = x.requiresGrad() ? new float[rows * c] : null;
            float[] dscale = new float[c];
            float[] dshift = new float[c];
            LayerNormKernels.backward(in, base, gc.storage(), gc.offset(), w, mean, rstd, dx, dscale, dshift, rows, c, par);
            if (dx != null) x.accumulateFreshGrad(NDArray.of(dx, x.shape()));
            scale.accumulateFreshGrad(NDArray.of(dscale, c));
            shift.accumulateFreshGrad(NDArray.of(dshift, c));
        });
    }

    /** The book's {@code LayerNorm.forward} line by line: mean, biased variance, normalise, scale and shift. */
    public static Tensor composed(Tensor x, Tensor scale, Tensor shift, float eps) {
        Tensor mean = x.mean(-1, true);
        Tensor var = x.var(-1, false, true);
        Tensor norm = x.sub(mean).div(var.add(eps).sqrt());
        return norm.mul(scale).add(shift);
    }
}
