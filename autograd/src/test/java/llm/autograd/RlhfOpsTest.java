package llm.autograd;

import static llm.autograd.Shapes.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

import llm.autograd.fused.TokenLogProbs;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** The ops chapter 8's PPO is written with: fused token log-probabilities against the composed ones; minimum, maximum, clamp. */
class RlhfOpsTest {
    @Test
    void fusedTokenLogProbsMatchLogSoftmaxAndGather() {
        qt().withExamples(30).forAll(integers().between(1, 20), integers().between(2, 70), longs().all()).checkAssert((n, v, seed) -> {
            SeededRandom rng = new SeededRandom(seed);
            NDArray x = NDArray.randn(rng, n, v).mul(4f);
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = rng.nextInt(v);
            IntNDArray tokens = IntNDArray.of(t, n);
            Tensor a = Tensor.parameter(x.copy()), b = Tensor.parameter(x.copy());
            TokenLogProbs.Result fused = TokenLogProbs.apply(a, tokens);
            Tensor composed = TokenLogProbs.composed(b, tokens);
            NDArray up = NDArray.randn(rng, n);
            fused.logProbs().backward(up);
            composed.backward(up);
            assertArrayEquals(composed.data().toArray(), fused.logProbs().data().toArray(), 1e-4f);
            assertArrayEquals(b.grad().toArray(), a.grad().toArray(), 1e-5f);
            // entropy -Σ p log p from the softmax
            NDArray p = x.softmax(1);
            float[] expected = p.mul(p.log()).sum(1, false).neg().toArray();
            assertArrayEquals(expected, fused.entropy().toArray(), 1e-4f);
        });
    }

    @Test
    void minimumMaximumClampValuesAndGradients() {
        Tensor a = Tensor.parameter(NDArray.of(new float[] {1, 5, -2, 0.5f}, 4)), b = Tensor.parameter(NDArray.of(new float[] {3, 2, -2, 0.7f}, 4));
        Tensor min = a.minimum(b);
        assertArrayEquals(new float[] {1, 2, -2, 0.5f}, min.data().toArray());
        min.sum().backward();
        assertArrayEquals(new float[] {1, 0, 1, 1}, a.grad().toArray(), "to a where a <= b (ties to a)");
        assertArrayEquals(new float[] {0, 1, 0, 0}, b.grad().toArray());

        Tensor c = Tensor.parameter(NDArray.of(new float[] {0.5f, 0.8f, 1.0f, 1.2f, 1.5f}, 5));
        Tensor clamped = c.clamp(0.8f, 1.2f);
        assertArrayEquals(new float[] {0.8f, 0.8f, 1.0f, 1.2f, 1.2f}, clamped.data().toArray());
        clamped.sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 1, 0}, c.grad().toArray(), "1 inside the closed range");

        GradCheck.check("maximum", in -> in.get(0).maximum(in.get(1)), randn(1, 3, 4), randn(2, 3, 4));
        GradCheck.check("minimum broadcast", in -> in.get(0).minimum(in.get(1)), randn(3, 3, 4), randn(4, 4));
        GradCheck.check("clamp", in -> in.get(0).clamp(-0.5f, 0.5f), randn(5, 3, 4));
        assertEquals(0f, Tensor.constant(NDArray.scalar(-3f)).clamp(0f, 1f).item());
    }
}
