package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
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
     * The lane sums of four vectors at once, for kernels that finish four dot products together (generation's
     * {@link RowMatrix} products): the sum of {@code a_k}'s lanes is lane {@code k·L/4} of the result. Halves are
     * added first, lanes paired by fixed shuffles ({@code (l0 + l8) + (l4 + l12) ...} for 16 lanes), so the order is
     * as fixed as {@link #sumLanes}'s, and a vector's sum does not depend on the other three. {@link #sumLanes}'s
     * sixteen dependent lane extractions, four times per four rows, took a third of the time of the fp32 product
     * itself in the decoder's profile; these are four shuffle-and-add steps for all four. Training keeps
     * {@link #sumLanes}: its results, and the runs and documented outputs that follow from them, stay as they were.
     */
    public static FloatVector sumLanesOfFour(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        if (Four.L < 4 || Four.L > 16) {                   // widths x86 does not have (SVE's longest): lane by lane
            float[] sums = new float[Four.L];
            FloatVector[] all = {a0, a1, a2, a3};
            for (int k = 0; k < 4; k++) sums[k * Four.L / 4] += sumLanes(all[k]);
            return FloatVector.fromArray(SPECIES, sums, 0);
        }
        FloatVector w01 = a0.rearrange(Four.LO1, a1).add(a0.rearrange(Four.HI1, a1));   // a0 in lanes [0, L/2), a1 above
        FloatVector w23 = a2.rearrange(Four.LO1, a3).add(a2.rearrange(Four.HI1, a3));
        FloatVector z = w01.rearrange(Four.LO2, w23).add(w01.rearrange(Four.HI2, w23));  // a_k in lanes [k·L/4, (k+1)·L/4)
        // each group folded onto its first lane; L is a constant, so the JIT keeps only the folds this width needs
        // (shuffles read from an array were not: the JIT ran them as plain Java, a tenth of the decoder's time)
        if (Four.L >= 8) z = z.add(z.rearrange(Four.FOLD8));
        if (Four.L >= 16) z = z.add(z.rearrange(Four.FOLD16));
        return z;
    }

    /** The constant shuffles of {@link #sumLanesOfFour} for {@link #SPECIES}. */
    private static final class Four {
        static final int L = SPECIES.length();
        static final VectorShuffle<Float> LO1 = VectorShuffle.fromOp(SPECIES, i -> i < L / 2 ? i : L + i - L / 2);
        static final VectorShuffle<Float> HI1 = VectorShuffle.fromOp(SPECIES, i -> i < L / 2 ? i + L / 2 : L + i);
        static final VectorShuffle<Float> LO2 = VectorShuffle.fromOp(SPECIES, i -> quarter(i, 0));
        static final VectorShuffle<Float> HI2 = VectorShuffle.fromOp(SPECIES, i -> quarter(i, L / 4));
        static final VectorShuffle<Float> FOLD8 = VectorShuffle.fromOp(SPECIES, i -> Math.min(L - 1, i + Math.max(1, L / 8)));
        static final VectorShuffle<Float> FOLD16 = VectorShuffle.fromOp(SPECIES, i -> Math.min(L - 1, i + Math.max(1, L / 16)));

        /** Lane i of group g (of four, L/4 lanes each) takes lane {@code skip + i % (L/4)} of row g's half. */
        private static int quarter(int i, int skip) {
            int g = i / (L / 4), src = (g % 2) * (L / 2) + skip + i % (L / 4);
            return g < 2 ? src : L + src;
        }
    }
}
