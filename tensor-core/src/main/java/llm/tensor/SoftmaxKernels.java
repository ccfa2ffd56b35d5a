package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax of one contiguous row, {@code out_i = exp(x_i - max) / sum_j exp(x_j - max)} (Book §3.3.1).
 * Subtracting the row maximum first keeps {@code exp} from overflowing and does not change the result.
 */
public final class SoftmaxKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private SoftmaxKernels() {}

    /**
     * Reference softmax of {@code x[xo .. xo+n)} into {@code out[oo .. oo+n)}. Returns the log of the
     * normaliser, {@code max + log(sum_j exp(x_j - max))}, which cross-entropy needs: {@code -log softmax_t =
     * logNormaliser - x_t} stays finite even where {@code softmax_t} rounds to zero.
     */
    public static float softmaxScalar(float[] x, int xo, float[] out, int oo, int n) {
        float max = ReductionKernels.maxScalar(x, xo, n);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            out[oo + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) out[oo + i] *= inv;
        return max + (float) Math.log(sum);
    }

    /** The same with Vector API lanes (the vector {@code exp} may differ from {@code Math.exp} in the last bit). */
    public static float softmaxVector(float[] x, int xo, float[] out, int oo, int n) {
        float max = ReductionKernels.maxVector(x, xo, n);
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, x, xo + i).sub(vmax);
            e = VectorFunctions.exp(e);
            e.intoArray(out, oo + i);
            acc = acc.add(e);
        }
        float sum = Vectorization.sumLanes(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            out[oo + i] = e;
            sum += e;
        }
        FloatVector inv = FloatVector.broadcast(F, 1f / sum);
        i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector.fromArray(F, out, oo + i).mul(inv).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] *= 1f / sum;
        return max + (float) Math.log(sum);
    }

    /** Reference log-softmax: {@code x_i - max - log(sum_j exp(x_j - max))}. */
    public static void logSoftmaxScalar(float[] x, int xo, float[] out, int oo, int n) {
        float max = ReductionKernels.maxScalar(x, xo, n);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[xo + i] - max);
        float logSum = (float) Math.log(sum) + max;
        for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] - logSum;
    }
}
