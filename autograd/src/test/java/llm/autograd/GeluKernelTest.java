package llm.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

import llm.autograd.fused.GELU;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** The Vector API GELU kernels against their scalar references, on lengths that are not lane multiples. */
class GeluKernelTest {
    @Test
    void vectorKernelsMatchTheScalarReferences() {
        qt().withExamples(200).forAll(integers().between(0, 100), longs().all()).checkAssert((n, seed) -> {
            float[] x = NDArray.randn(new SeededRandom(seed), n + 3).mul(4f).toArray();
            float[] dy = NDArray.randn(new SeededRandom(seed + 1), n + 2).toArray();
            float[] ref = new float[n], fast = new float[n];
            GELU.forwardScalar(x, 3, ref, n);
            GELU.forwardVector(x, 3, fast, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 2e-6f * (1 + Math.abs(ref[i])), "forward " + i);
            GELU.backwardScalar(x, 3, dy, 2, ref, n);
            GELU.backwardVector(x, 3, dy, 2, fast, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 5e-6f * (1 + Math.abs(ref[i])), "backward " + i);
        });
    }
}
