package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The AdamW update of a run of parameters (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW} order of
 * floating-point operations), llm.c's {@code adamw_update}, per element:
 * <pre>
 * p  = p · decayFactor                         decoupled decay, decayFactor = 1 − lr · weight_decay
 * m  = m + (1 − β1) · (g − m)                  first moment (torch: exp_avg.lerp_(g, 1 − β1))
 * v  = β2 · v + (1 − β2) · g²                  second moment
 * p  = p − stepSize · m / (√v / correction2Sqrt + ε)
 * </pre>
 * with {@code stepSize = lr / (1 − β1ᵗ)} and {@code correction2Sqrt = √(1 − β2ᵗ)} computed once per step by the
 * caller. {@link #updateReference} is the loop written plainly; {@link #updateVector} is the same arithmetic a
 * vector at a time (the Vector API's square root and division are exactly rounded, so the two agree bit for
 * bit). Both are element-wise, so a caller may split the elements over threads freely.
 */
public final class AdamWKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private AdamWKernels() {}

    /** The update of elements {@code [from, to)}, one at a time. */
    public static void updateReference(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int from, int to,
                                float decayFactor, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                float stepSize, float correction2Sqrt, float eps) {
        for (int i = from; i < to; i++) {
            float grad = g[gOff + i];
            float param = p[pOff + i] * decayFactor;
            float mi = m[i] + oneMinusBeta1 * (grad - m[i]);
            float vi = v[i] * beta2 + oneMinusBeta2 * (grad * grad);
            float denom = (float) Math.sqrt(vi) / correction2Sqrt + eps;
            m[i] = mi;
            v[i] = vi;
            p[pOff + i] = param + -stepSize * (mi / denom);
        }
    }

    /** The same update with {@link FloatVector}s of the preferred width, the tail one element at a time. */
    public static void updateVector(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, int from, int to,
                             float decayFactor, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                             float stepSize, float correction2Sqrt, float eps) {
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            FloatVector grad = FloatVector.fromArray(F, g, gOff + i);
            FloatVector param = FloatVector.fromArray(F, p, pOff + i).mul(decayFactor);
            FloatVector mi = FloatVector.fromArray(F, m, i);
            mi = mi.add(grad.sub(mi).mul(oneMinusBeta1));
            FloatVector vi = FloatVector.fromArray(F, v, i).mul(beta2).add(grad.mul(grad).mul(oneMinusBeta2));
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(correction2Sqrt).add(eps);
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            param.add(mi.div(denom).mul(-stepSize)).intoArray(p, pOff + i);
        }
        updateReference(p, pOff, g, gOff, m, v, i, to, decayFactor, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, correction2Sqrt, eps);
    }
}
