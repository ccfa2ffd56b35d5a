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
}
