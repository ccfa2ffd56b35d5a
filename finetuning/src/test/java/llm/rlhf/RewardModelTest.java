package llm.rlhf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.data.DataLoader;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.preference.PreferenceBatch;
import llm.preference.PreferenceDataset;
import llm.pretraining.PretrainedModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;

/** The reward model of Book §8.3-8.4: the Bradley-Terry loss by hand, where the score is read, and a short run that learns the preferences. */
class RewardModelTest {
    static final Path PREFERENCES = Path.of("../data/instruction-data-with-preference.json");
    static final Path TINY_GPT2 = Path.of("src/test/resources/llm/classification/tiny-gpt2-50257");

    static Tensor values(float... v) {
        return Tensor.parameter(NDArray.of(v, v.length));
    }

    @Test
    void bradleyTerryLossAccuracyMarginAndCentringByHand() {
        // r_c = [2, 0], r_r = [0, 1]: d = [2, -1]; -log σ(2) = 0.126928, -log σ(-1) = 1.313262; mean 0.720095
        RewardLoss.Result r = RewardLoss.computeRewardLoss(values(2, 0), values(0, 1), 0);
        assertEquals(0.720095, r.loss().item(), 1e-5);
        assertEquals(0.5, r.accuracy());
        assertEquals(0.5, r.margin(), 1e-9);
        // centring adds 0.01 · mean((2 + 0)², (0 + 1)²) = 0.025
        assertEquals(0.745095, RewardLoss.computeRewardLoss(values(2, 0), values(0, 1), 0.01).loss().item(), 1e-5);
        // equal rewards: ln 2; huge margins neither overflow nor lose the gradient
        assertEquals(Math.log(2), RewardLoss.computeRewardLoss(values(3, -1), values(3, -1), 0).loss().item(), 1e-6);
        Tensor c = values(-200), j = values(0);
        Tensor loss = RewardLoss.computeRewardLoss(c, j, 0).loss();
        assertEquals(200, loss.item(), 1e-3);
        loss.backward();
        assertEquals(-1, c.grad().item(), 1e-6, "d/dr_c of -log σ(r_c - r_r) is -(1 - σ) = -1 here");
        assertEquals(0, RewardLoss.computeRewardLoss(values(200), values(0), 0).loss().item(), 1e-6);
    }

    @Test
    void theScoreIsReadAtTheLastResponseTokenAndPaddingChangesNothing() throws IOException {
        RewardModel rm = RewardModel.fromBase(PretrainedModel.load(TINY_GPT2).model(), 50256, new SeededRandom(1));
        assertArrayEquals(new int[] {2, 0}, RewardModel.lastTokenIndices(NDArray.of(new float[] {0, 1, 1, 0, 1, 0, 0, 0}, 2, 4)));
        try (var off = Grad.off()) {
            float alone = rm.rewards(IntNDArray.of(new int[] {10, 20, 30}, 1, 3), new int[] {2}).item();
            float padded = rm.rewards(IntNDArray.of(new int[] {10, 20, 30, 50256, 50256}, 1, 5), new int[] {2}).item();
            assertEquals(alone, padded, 1e-6f, "right padding is never read");
            // score(): a final end-of-text token is not part of the scored text
            double[] s = rm.score(new int[][] {{10, 20}, {10, 20}}, new int[][] {{30}, {30, 50256}});
            assertEquals(alone, s[0], 1e-6);
            assertEquals(alone, s[1], 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> new RewardModel(PretrainedModel.load(TINY_GPT2).model(), 50256));
    }

    @Test
    void aShortRunLearnsWhichResponsesArePreferred() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(PREFERENCES, true).subList(0, 48);
        SeededRandom rng = new SeededRandom(123);
        RewardModel rm = RewardModel.fromBase(PretrainedModel.load(TINY_GPT2).model(), 50256, rng);
        var dataset = new PreferenceDataset(data, BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, 64, true);
        DataLoader<PreferenceBatch> train = new DataLoader<>(dataset, 8, true, true, rng), fixed = new DataLoader<>(dataset, 8, false, false, null);
        RewardLoss.Stats before = RewardLoss.computeRewardLossLoader(fixed, rm, 0, 0);
        var history = TrainRewardModelSimple.trainRewardModelSimple(rm, train, fixed, 5e-3, 0.0, 0, 12, 0, 0, rng, null, null);
        RewardLoss.Stats after = RewardLoss.computeRewardLossLoader(fixed, rm, 0, 0);
        assertTrue(history.isEmpty());
        assertTrue(after.loss() < before.loss() - 0.1, "loss falls: " + before + " -> " + after);
        assertTrue(after.accuracy() > 0.8, "the training pairs are ranked right: " + after);
    }
}
