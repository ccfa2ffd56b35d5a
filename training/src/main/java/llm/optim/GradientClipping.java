package llm.optim;

import java.util.Collection;

import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Gradient clipping by global norm (Book Appendix D.3, PyTorch's {@code clip_grad_norm_}): the gradients of
 * all parameters, seen as one long vector, are scaled down so that its Euclidean norm is at most {@code maxNorm}.
 * The book's example: G = [[1, 2], [2, 4]] has norm √(1 + 4 + 4 + 16) = 5, and clipping to 1 gives G / 5.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The norm of all gradients together (parameters without a gradient count as zero), in double. */
    public static double globalNorm(Collection<Tensor> parameters) {
        double sumSquares = 0;
        for (Tensor p : parameters) {
            NDArray g = p.grad();
            if (g == null) continue;
            NDArray c = g.contiguous();
            float[] s = c.storage();
            for (int i = c.offset(), end = c.offset() + c.numel(); i < end; i++) sumSquares += (double) s[i] * s[i];
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when that is below 1 (PyTorch's formula) and
     * returns the norm before clipping, which training logs; a NaN or infinite norm is returned unchanged so
     * the caller can stop.
     */
    public static double clipGlobalNorm(Collection<Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be positive, got " + maxNorm);
        double norm = globalNorm(parameters);
        if (!Double.isFinite(norm)) return norm;
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            float c = (float) coefficient;
            for (Tensor p : parameters) {
                NDArray g = p.grad();
                if (g == null) continue;
                if (!g.isContiguous()) throw new IllegalStateException("clipGlobalNorm: a gradient is not contiguous");
                float[] s = g.storage();
                for (int i = g.offset(), end = g.offset() + g.numel(); i < end; i++) s[i] *= c;
            }
        }
        return norm;
    }
}
