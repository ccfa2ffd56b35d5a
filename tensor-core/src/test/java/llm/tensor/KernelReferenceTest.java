package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

/** Every Vector API kernel against its scalar reference, on lengths that are not multiples of the vector width. */
class KernelReferenceTest {

    private static float[] random(long seed, int n) {
        return NDArray.randn(new SeededRandom(seed), n + 7).toArray();
    }

    @Test
    void binaryKernels() {
        qt().withExamples(200).forAll(integers().between(0, 70), integers().between(0, 3), integers().between(0, 1), longs().all())
                .checkAssert((n, opIndex, bStep, seed) -> {
                    BinaryOp op = new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}[opIndex];
                    float[] a = random(seed, n), b = random(seed + 1, n);
                    float[] ref = new float[n + 3], fast = new float[n + 3];
                    ElementwiseKernels.binaryScalar(op, a, 2, 1, b, 5, bStep, ref, 3, n);
                    ElementwiseKernels.binaryVector(op, a, 2, 1, b, 5, bStep, fast, 3, n);
                    for (int i = 0; i < ref.length; i++) assertEquals(ref[i], fast[i], 1e-6f * Math.abs(ref[i]), op + " at " + i);
                });
    }

    @Test
    void reductionKernels() {
        qt().withExamples(200).forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n);
            assertEquals(ReductionKernels.sumScalar(x, 3, n), ReductionKernels.sumVector(x, 3, n), 1e-5f * n);
            assertEquals(ReductionKernels.maxScalar(x, 3, n), ReductionKernels.maxVector(x, 3, n), 0f);
        });
    }

    @Test
    void softmaxKernel() {
        qt().withExamples(200).forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n);
            float[] ref = new float[n], fast = new float[n];
            SoftmaxKernels.softmaxScalar(x, 1, ref, 0, n);
            SoftmaxKernels.softmaxVector(x, 1, fast, 0, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 2e-6f + 1e-5f * ref[i], "softmax at " + i);
        });
    }

    @Test
    void dotAndAxpy() {
        qt().withExamples(200).forAll(integers().between(0, 200), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n), y = random(seed + 1, n);
            float ref = 0;
            for (int i = 0; i < n; i++) ref += x[1 + i] * y[2 + i];
            assertEquals(ref, Gemm.dot(x, 1, y, 2, n), 1e-5f * (n + 1));
            float[] expected = y.clone(), actual = y.clone();
            for (int i = 0; i < n; i++) expected[2 + i] += 0.5f * x[1 + i];
            Gemm.axpy(0.5f, x, 1, actual, 2, n);
            for (int i = 0; i < y.length; i++) assertEquals(expected[i], actual[i], 1e-6f);
        });
    }

    /** dot4 is four dots at once with each row's arithmetic unchanged: equal bit for bit, so results do not depend on grouping. */
    @Test
    void dot4EqualsFourDots() {
        qt().withExamples(200).forAll(integers().between(0, 200), longs().all()).checkAssert((n, seed) -> {
            int stride = n + 3;
            float[] x = random(seed, n), rows = random(seed + 1, 4 * stride + 2);
            float[] four = new float[4];
            Gemm.dot4(x, 1, rows, 2, stride, n, four);
            for (int q = 0; q < 4; q++) assertEquals(Gemm.dot(x, 1, rows, 2 + q * stride, n), four[q], "row " + q);
        });
    }
}
