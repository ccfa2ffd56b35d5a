package llm.rlhf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import org.junit.jupiter.api.Test;

/** PPO's pieces against numbers worked out by hand (in the comments). */
class PpoMathTest {
    @Test
    void gaeOnAShortSequence() {
        // rewards [0, 0, 1], values [0.5, 0.6, 0.7], γ = 1, λ = 0.95, backwards:
        // t=2: δ = 1 + 0 - 0.7 = 0.3;   A = 0.3;                      R = 0.3 + 0.7 = 1.0
        // t=1: δ = 0 + 0.7 - 0.6 = 0.1; A = 0.1 + 0.95·0.3 = 0.385;   R = 0.985
        // t=0: δ = 0 + 0.6 - 0.5 = 0.1; A = 0.1 + 0.95·0.385 = 0.46575; R = 0.96575
        Gae.Advantages a = Gae.computeAdvantages(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.6f, 0.7f}}, 1.0, 0.95);
        assertArrayEquals(new float[] {0.46575f, 0.385f, 0.3f}, a.advantages()[0], 1e-6f);
        assertArrayEquals(new float[] {0.96575f, 0.985f, 1.0f}, a.returns()[0], 1e-6f);
        // with λ = 0 each advantage is its own one-step δ; with a discount γ = 0.5 and λ = 1, A_0 = r_0 + 0.5 r_1 + 0.25 r_2 - V_0
        Gae.Advantages td = Gae.computeAdvantages(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.6f, 0.7f}}, 1.0, 0.0);
        assertArrayEquals(new float[] {0.1f, 0.1f, 0.3f}, td.advantages()[0], 1e-6f);
        Gae.Advantages mc = Gae.computeAdvantages(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.6f, 0.7f}}, 0.5, 1.0);
        assertEquals(0.25 - 0.5, mc.advantages()[0][0], 1e-6);
    }

    @Test
    void whiteningUsesTheUnbiasedVarianceOverEveryToken() {
        // [1, 2] and [3, 4]: mean 2.5, unbiased variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, std 1.290994
        float[][] w = Gae.whiten(new float[][] {{1, 2}, {3, 4}});
        assertArrayEquals(new float[] {-1.161895f, -0.387298f}, w[0], 1e-5f);
        assertArrayEquals(new float[] {0.387298f, 1.161895f}, w[1], 1e-5f);
    }

    @Test
    void klPenaltyOnEveryTokenAndTheScoreOnTheLast() {
        // log π [-1, -2], log π_ref [-1.5, -1], β 0.1: r = [-0.1·0.5, -0.1·(-1)] = [-0.05, 0.1], + score 3 on the last
        float[][] r = KlPenalty.rewards(new float[][] {{-1, -2}}, new float[][] {{-1.5f, -1}}, new double[] {3}, 0.1);
        assertArrayEquals(new float[] {-0.05f, 3.1f}, r[0], 1e-6f);
        assertEquals(0.5 - 1.0, KlPenalty.meanKl(new float[][] {{-1, -2}}, new float[][] {{-1.5f, -1}}), 1e-9);
    }

    @Test
    void adaptiveControllerMovesBetaTowardsTheTarget() {
        KlController c = KlController.adaptive(0.1, 6, 10_000);
        c.update(12, 8);                          // error clipped to +0.2: β · (1 + 0.2 · 8 / 10000)
        assertEquals(0.1 * 1.00016, c.value(), 1e-12);
        c = KlController.adaptive(0.1, 6, 10_000);
        c.update(5.4, 8);                         // error 5.4/6 - 1 = -0.1
        assertEquals(0.1 * (1 - 0.1 * 8 / 10_000.0), c.value(), 1e-12);
        KlController fixed = KlController.fixed(0.1);
        fixed.update(100, 8);
        assertEquals(0.1, fixed.value());
    }

    @Test
    void clippedObjectiveOnBothSidesOfTheClip() {
        // ρ = [1.5, 0.5, 1.5, 0.5] (old log-probabilities 0), A = [2, 2, -2, -2], ε = 0.2:
        //   A > 0, ρ 1.5: min(3.0, 1.2·2 = 2.4) = 2.4, clipped: no gradient
        //   A > 0, ρ 0.5: min(1.0, 0.8·2 = 1.6) = 1.0, unclipped: d/dlogπ = A·ρ = 1.0
        //   A < 0, ρ 1.5: min(-3.0, -2.4) = -3.0,    unclipped: A·ρ = -3.0
        //   A < 0, ρ 0.5: min(-1.0, -1.6) = -1.6,    clipped: no gradient
        // loss = -mean(2.4, 1.0, -3.0, -1.6) = 0.3; its gradient -[0, 1.0, -3.0, 0] / 4
        Tensor logprobs = Tensor.parameter(NDArray.of(new float[] {(float) Math.log(1.5), (float) Math.log(0.5), (float) Math.log(1.5), (float) Math.log(0.5)}, 4));
        Tensor loss = PpoLoss.clippedPolicyLoss(logprobs, NDArray.zeros(4), NDArray.of(new float[] {2, 2, -2, -2}, 4), 0.2);
        assertEquals(0.3, loss.item(), 1e-6);
        loss.backward();
        assertArrayEquals(new float[] {0, -0.25f, 0.75f, 0}, logprobs.grad().toArray(), 1e-6f);
    }

    @Test
    void clippedValueLossTakesTheLargerError() {
        // new [1.0, 0.9], old [0.5, 0.5], returns [2.0, 0.6], clip 0.2:
        //   row 0: (1.0-2)² = 1, clipped value 0.7: (0.7-2)² = 1.69 → 1.69, no gradient (outside the clip)
        //   row 1: (0.9-0.6)² = 0.09, clipped value 0.7: 0.01 → 0.09, gradient 2·0.3
        // loss = ½·mean(1.69, 0.09) = 0.445; gradient ½·[0, 0.6] / 2
        Tensor values = Tensor.parameter(NDArray.of(new float[] {1.0f, 0.9f}, 2));
        Tensor loss = PpoLoss.clippedValueLoss(values, NDArray.of(new float[] {0.5f, 0.5f}, 2), NDArray.of(new float[] {2.0f, 0.6f}, 2), 0.2);
        assertEquals(0.445, loss.item(), 1e-6);
        loss.backward();
        assertArrayEquals(new float[] {0, 0.15f}, values.grad().toArray(), 1e-6f);
    }

    @Test
    void sequenceBatchPointsEachTokenAtThePositionThatPredictsIt() {
        SequenceBatch b = SequenceBatch.of(new int[][] {{5, 6, 7}, {8}}, new int[][] {{1, 2}, {3, 4, 0}}, new int[] {0, 1}, 9);
        assertArrayEquals(new int[] {2, 5}, b.ids().shape());                  // the longer: 3 + 2 tokens
        assertArrayEquals(new int[] {5, 6, 7, 1, 2, 8, 3, 4, 0, 9}, b.ids().storage());
        assertArrayEquals(new int[] {2, 3, 5, 6, 7}, b.rows().storage());       // row 0: positions 2, 3; row 1 (offset 5): 0, 1, 2
        assertArrayEquals(new int[] {1, 2, 3, 4, 0}, b.tokens().storage());
        assertArrayEquals(new int[] {2, 3}, b.lengths());
    }
}
