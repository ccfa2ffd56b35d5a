package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code exp} and {@code tanh} on whole vectors, built only from operations that IEEE 754 rounds exactly (add,
 * multiply, divide, integer shifts).
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: its result is only specified to within an ulp or so, and
 * HotSpot computes it one way before the JIT compiles a kernel (the Java fallback, {@code Math.exp} per lane)
 * and another way after (an SVML routine). The same training step then gives slightly different numbers early
 * and late in a run, and a resumed run cannot repeat an uninterrupted one bit for bit. These functions give
 * the same bits in every JIT state.
 *
 * <p>{@code exp(x) = 2^n · e^r} with {@code n = round(x · log2 e)} and {@code r = x − n · ln 2} in
 * [−ln2/2, ln2/2], where a degree-6 polynomial (Cephes' {@code expf} coefficients) gives {@code e^r}; relative
 * error about 2e-7. {@code tanh(x) = 1 − 2 / (exp(2x) + 1)}, mirrored for negative x.
 */
public final class VectorFunctions {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 · 2^23: adding and subtracting it rounds to an integer
    private static final float MIN_ARG = -87.3365448f, MAX_ARG = 88.7228394f;

    private VectorFunctions() {}

    /** e^x per lane: 0 below about −87.3 (−∞ included), +∞ above about 88.7, NaN stays NaN. */
    public static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(MIN_ARG).min(MAX_ARG);
        FloatVector n = clamped.mul(LOG2E).add(ROUND).sub(ROUND);
        // r = x - n·ln2 in two parts; n·LN2_HI is exact (LN2_HI has 9 significant bits), so little is lost
        FloatVector r = clamped.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = er.mul(bits.reinterpretAsFloats());
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_ARG), over = x.compare(VectorOperators.GT, MAX_ARG);
        result = result.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** tanh(x) per lane, from {@link #exp}: odd, saturating at ±1. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector e = exp(x.abs().mul(2f));
        FloatVector t = FloatVector.broadcast(x.species(), 1f).sub(FloatVector.broadcast(x.species(), 2f).div(e.add(1f))); // 1 - 2/(e+1)
        return t.blend(t.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
