package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Chooses between the plain scalar kernels and their Vector API twins.
 *
 * <p>Every hot kernel in this module exists twice: a scalar loop a learner can step through, and a SIMD
 * version built on {@code jdk.incubator.vector} that processes {@link #SPECIES}{@code .length()} floats per
 * instruction (8 with AVX2, 16 with AVX-512). Start the JVM with {@code -Dllm.scalar=true} to run every
 * kernel's scalar reference instead, for instance while stepping through the code in a debugger.
 */
public final class Vectorization {
    /** The widest float vector this CPU runs natively. */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** False when {@code -Dllm.scalar=true} asks for the scalar reference kernels everywhere. */
    public static final boolean ENABLED = !Boolean.getBoolean("llm.scalar");

    private Vectorization() {}

    /**
     * The sum of a vector's lanes, added in lane order. {@code reduceLanes(ADD)} leaves the order of the
     * additions open, and the JIT-compiled and interpreted forms of a kernel may then round differently: the
     * same run would give losses that differ in the last bits depending on when a method was compiled, and a
     * resumed training run would not repeat the uninterrupted one exactly. Summing in a fixed order costs a few
     * lane extractions per reduction, once per row or dot product.
     */
    public static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /**
     * The sum of a vector's lanes in another fixed order: stored, then added pairwise, halves first ({@code (l0 + l8)
     * + (l4 + l12) ...} for 16 lanes), four dependent additions instead of sixteen. Generation's matrix-vector
     * products ({@link RowMatrix}) reduce once per short row, where {@link #sumLanes}'s chain cost a fifth of a bf16
     * product (28-35 GB/s against 36-40 GB/s, GPT-2's head on 2 threads). Training keeps {@link #sumLanes}: its
     * results, and the runs and documented outputs that follow from them, stay as they were.
     */
    public static float sumLanesPairwise(FloatVector v) {
        float[] t = new float[v.length()];
        v.intoArray(t, 0);
        for (int n = t.length / 2; n > 0; n /= 2) {
            for (int i = 0; i < n; i++) t[i] += t[i + n];
        }
        return t[0];
    }
}
