package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Shape;

/**
 * Layer normalisation over the last dimension (Book §4.2): {@code (x - mean) / sqrt(var + eps) * scale +
 * shift}, with the biased variance (divide by C), as the book's {@code LayerNorm} and PyTorch do.
 *
 * <p>Fused, llm.c style ({@code layernorm_forward}/{@code layernorm_backward}): the forward saves each row's
 * mean and reciprocal standard deviation, and the backward uses the closed form
 * {@code dx = rstd · (dn - mean(dn) - n · mean(dn · n))} with {@code n} the normalised row and {@code dn =
 * dy · scale}. {@link #composed} is the same function built from primitives.
 */
public final class LayerNorm {
    private LayerNorm() {}

    /** {@code x (..., C)}, {@code scale (C)}, {@code shift (C)} to {@code (..., C)}. */
    public static Tensor apply(Tensor x, Tensor scale, Tensor shift, float eps) {
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
        for (int r = 0; r < rows; r++) {
            int row = base + r * c;
            double m = 0;
            for (int i = 0; i < c; i++) m += in[row + i];
            m /= c;
            double v = 0;
            for (int i = 0; i < c; i++) {
                double d = in[row + i] - m;
                v += d * d;
            }
            v /= c;
            float s = (float) (1.0 / Math.sqrt(v + eps));
            mean[r] = (float) m;
            rstd[r] = s;
            for (int i = 0; i < c; i++) out[r * c + i] = (in[row + i] - mean[r]) * s * w[i] + b[i];
        }
        return Graph.record(NDArray.of(out, x.shape()), "layerNorm", List.of(x, scale, shift), g -> {
            NDArray gc = g.contiguous();
            float[] dy = gc.storage();
            int go = gc.offset();
            float[] dx = new float[rows * c];
            float[] dscale = new float[c];
            float[] dshift = new float[c];
            for (int r = 0; r < rows; r++) {
                int row = base + r * c, grow = go + r * c;
                double meanDn = 0, meanDnN = 0;
                for (int i = 0; i < c; i++) {
                    float n = (in[row + i] - mean[r]) * rstd[r];
                    float dn = dy[grow + i] * w[i];
                    meanDn += dn;
                    meanDnN += dn * n;
                    dscale[i] += dy[grow + i] * n;
                    dshift[i] += dy[grow + i];
                }
                meanDn /= c;
                meanDnN /= c;
                for (int i = 0; i < c; i++) {
                    float n = (in[row + i] - mean[r]) * rstd[r];
                    float dn = dy[grow + i] * w[i];
                    dx[r * c + i] = (float) (rstd[r] * (dn - meanDn - n * meanDnN));
                }
            }
            if (x.requiresGrad()) x.accumulateGrad(NDArray.of(dx, x.shape()));
            scale.accumulateGrad(NDArray.of(dscale, c));
            shift.accumulateGrad(NDArray.of(dshift, c));
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
