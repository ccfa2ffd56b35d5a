package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The embedding lookup (Book §2.7) and its backward pass, llm.c's {@code encoder_forward}/{@code
 * encoder_backward} without the position term: token ids select rows of a {@code (V, C)} weight, and the
 * backward adds each position's gradient row back into the row of its id (a scatter-add: an id used twice
 * gets both gradients). Shapes: {@code weight, dweight (V, C)}, {@code ids (N)}, {@code out, dout (N, C)}.
 */
public final class EmbeddingKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private EmbeddingKernels() {}

    /** {@code out[t] = weight[ids[t]]} for t in [0, n); an id outside the vocabulary is an error naming it. */
    public static void forward(float[] weight, int wo, int[] ids, float[] out, int n, int v, int c) {
        for (int t = 0; t < n; t++) {
            int id = ids[t];
            if (id < 0 || id >= v) throw new IndexOutOfBoundsException("embedding: token id " + id + " at position " + t + " is outside the vocabulary of " + v);
            System.arraycopy(weight, wo + id * c, out, t * c, c);
        }
    }

    /** {@code dweight[ids[t]] += dout[t]}, vector or scalar as {@link Vectorization#ENABLED} says. */
    public static void backward(float[] dout, int go, int[] ids, float[] dweight, int n, int c) {
        if (Vectorization.ENABLED) backwardVector(dout, go, ids, dweight, n, c);
        else backwardScalar(dout, go, ids, dweight, n, c);
    }

    /** Reference scatter-add, positions in order. */
    public static void backwardScalar(float[] dout, int go, int[] ids, float[] dweight, int n, int c) {
        for (int t = 0; t < n; t++) {
            int row = ids[t] * c, g = go + t * c;
            for (int i = 0; i < c; i++) dweight[row + i] += dout[g + i];
        }
    }

    /** {@link #backwardScalar} a vector at a time: positions in the same order, so the same bits. */
    public static void backwardVector(float[] dout, int go, int[] ids, float[] dweight, int n, int c) {
        for (int t = 0; t < n; t++) {
            int row = ids[t] * c, g = go + t * c;
            int i = 0;
            for (int end = F.loopBound(c); i < end; i += F.length()) {
                FloatVector.fromArray(F, dweight, row + i).add(FloatVector.fromArray(F, dout, g + i)).intoArray(dweight, row + i);
            }
            for (; i < c; i++) dweight[row + i] += dout[g + i];
        }
    }
}
