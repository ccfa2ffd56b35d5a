package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loops over one row of numbers for the element-wise operations: the scalar reference, and Vector API
 * versions of the four arithmetic operations that models run most (residual additions, bias, scaling).
 *
 * <p>All kernels compute {@code out[oo + i] = a[ao + i*aStep] (op) b[bo + i*bStep]} for {@code i < n}. A step
 * of 0 repeats one element, which is how a broadcast operand looks from inside a row.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private ElementwiseKernels() {}

    /** Reference kernel for every binary operation and every pair of steps. */
    public static void binaryScalar(BinaryOp op, float[] a, int ao, int aStep, float[] b, int bo, int bStep,
                                    float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = op.apply(a[ao + i * aStep], b[bo + i * bStep]);
    }

    /**
     * Vector version of {@link #binaryScalar} for a contiguous {@code a} ({@code aStep == 1}) and a
     * {@code b} that is contiguous or one repeated number ({@code bStep} 1 or 0). Other operations and
     * steps fall back to the scalar kernel.
     */
    public static void binaryVector(BinaryOp op, float[] a, int ao, int aStep, float[] b, int bo, int bStep,
                                    float[] out, int oo, int n) {
        if (aStep != 1 || (bStep != 0 && bStep != 1)) {
            binaryScalar(op, a, ao, aStep, b, bo, bStep, out, oo, n);
            return;
        }
        switch (op) {
            case ADD -> addVector(a, ao, b, bo, bStep, out, oo, n);
            case SUB -> subVector(a, ao, b, bo, bStep, out, oo, n);
            case MUL -> mulVector(a, ao, b, bo, bStep, out, oo, n);
            case DIV -> divVector(a, ao, b, bo, bStep, out, oo, n);
            default -> binaryScalar(op, a, ao, aStep, b, bo, bStep, out, oo, n);
        }
    }

    // One loop per operation: the Vector API compiles to SIMD instructions only when the operation is a
    // compile-time constant, so the operation is chosen outside the loop, not inside it.

    static void addVector(float[] a, int ao, float[] b, int bo, int bStep, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector vb = bStep == 0 ? FloatVector.broadcast(F, b[bo]) : FloatVector.fromArray(F, b, bo + i);
            FloatVector.fromArray(F, a, ao + i).add(vb).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i * bStep];
    }

    static void subVector(float[] a, int ao, float[] b, int bo, int bStep, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector vb = bStep == 0 ? FloatVector.broadcast(F, b[bo]) : FloatVector.fromArray(F, b, bo + i);
            FloatVector.fromArray(F, a, ao + i).sub(vb).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i * bStep];
    }

    static void mulVector(float[] a, int ao, float[] b, int bo, int bStep, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector vb = bStep == 0 ? FloatVector.broadcast(F, b[bo]) : FloatVector.fromArray(F, b, bo + i);
            FloatVector.fromArray(F, a, ao + i).mul(vb).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i * bStep];
    }

    static void divVector(float[] a, int ao, float[] b, int bo, int bStep, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector vb = bStep == 0 ? FloatVector.broadcast(F, b[bo]) : FloatVector.fromArray(F, b, bo + i);
            FloatVector.fromArray(F, a, ao + i).div(vb).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i * bStep];
    }

    /** Reference: {@code out[oo+i] = op(x[xo+i])}. */
    public static void unaryScalar(UnaryOp op, float[] x, int xo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = op.apply(x[xo + i]);
    }
}
