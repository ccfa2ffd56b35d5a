package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Sum and maximum of one contiguous row: scalar references and their Vector API versions. */
public final class ReductionKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private ReductionKernels() {}

    /** Reference: {@code x[xo] + ... + x[xo+n-1]}, added in order. */
    public static float sumScalar(float[] x, int xo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xo + i];
        return s;
    }

    /** {@link #sumScalar} with one vector of partial sums (the lanes add up in a different order). */
    public static float sumVector(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) acc = acc.add(FloatVector.fromArray(F, x, xo + i));
        float s = Vectorization.sumLanes(acc);
        for (; i < n; i++) s += x[xo + i];
        return s;
    }

    /** Reference: the largest of {@code x[xo .. xo+n-1]} (n must be at least 1). */
    public static float maxScalar(float[] x, int xo, int n) {
        float m = x[xo];
        for (int i = 1; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    public static float maxVector(float[] x, int xo, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= F.length()) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int end = F.loopBound(n); i < end; i += F.length()) acc = acc.max(FloatVector.fromArray(F, x, xo + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    static float sum(float[] x, int xo, int n) {
        return Vectorization.ENABLED ? sumVector(x, xo, n) : sumScalar(x, xo, n);
    }

    static float max(float[] x, int xo, int n) {
        return Vectorization.ENABLED ? maxVector(x, xo, n) : maxScalar(x, xo, n);
    }
}
