package llm.rlhf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import llm.autograd.Tensor;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PPO's checkpoints on the toy task: a resume continues exactly, and a NaN reward stops the run with the last checkpoint intact. */
class PpoResumeTest {
    @TempDir
    Path tmp;

    static PpoTrainer trainer(RewardFunction reward, PpoSettings s, Path state) {
        PolicyWithValueHead actor = new PolicyWithValueHead(PpoToyTaskTest.model(), new SeededRandom(3));
        return new PpoTrainer(actor, ReferencePolicy.frozen(PpoToyTaskTest.model()), reward, PpoToyTaskTest.prompts(), 7, s, state, 1);
    }

    static Map<String, Tensor> params(PpoTrainer t) {
        return t.trainer().model().namedParameters();
    }

    @Test
    void aResumedRunEndsWithTheSameParametersAndBeta() throws IOException {
        PpoSettings s = new PpoSettings(4, 8, 4, 2, 0.1, 2.0, 100, 0.2, 0.2, 0.1, 1.0, 0.95, 1e-2, 1.0, 6, 1.0, 5);   // adaptive β
        PpoTrainer straight = trainer(PpoToyTaskTest.COUNT_TARGET, s, tmp.resolve("a.safetensors"));
        straight.run();

        Path state = tmp.resolve("b.safetensors");
        PpoTrainer first = trainer(PpoToyTaskTest.COUNT_TARGET, s, state);
        first.runUntil(2);
        PpoTrainer second = trainer(PpoToyTaskTest.COUNT_TARGET, s, state);
        Checkpoint.restore(state, second.trainer());
        assertEquals(2, second.iterationsDone());
        second.run();
        assertEquals(straight.klController().value(), second.klController().value(), 0.0, "β, adapted 4 times");
        assertTrue(straight.klController().value() != 0.1, "the controller moved β");
        for (var e : params(straight).entrySet()) {
            assertArrayEquals(e.getValue().data().toArray(), params(second).get(e.getKey()).data().toArray(), e.getKey());
        }
    }

    @Test
    void aNaNRewardStopsTheRunAndKeepsTheLastCheckpoint() throws IOException {
        int[] calls = {0};
        RewardFunction failsThird = (q, r) -> {
            double[] scores = PpoToyTaskTest.COUNT_TARGET.score(q, r);
            if (++calls[0] == 3) scores[1] = Double.NaN;
            return scores;
        };
        Path state = tmp.resolve("state.safetensors");
        PpoTrainer ppo = trainer(failsThird, PpoToyTaskTest.settings(5, 0.1), state);
        IllegalStateException e = assertThrows(IllegalStateException.class, ppo::run);
        assertTrue(e.getMessage().contains("the reward for response 1 is NaN"), e.getMessage());
        PpoTrainer restored = trainer(PpoToyTaskTest.COUNT_TARGET, PpoToyTaskTest.settings(5, 0.1), state);
        Checkpoint.restore(state, restored.trainer());
        assertEquals(2, restored.iterationsDone(), "the checkpoint after iteration 2 is intact");
    }
}
