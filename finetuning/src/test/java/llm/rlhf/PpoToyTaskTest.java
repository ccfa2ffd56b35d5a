package llm.rlhf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Tensor;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/**
 * PPO end to end on a task whose reward the test computes itself: a small random GPT earns 1/6 for each of its six
 * response tokens that is token 3. The mean reward starts near 1/8 (one token in eight by chance) and must rise to
 * near 1; the KL to the reference must stay bounded with β > 0 and grow further with β = 0; and broken objectives
 * (advantage or ratio with the wrong sign) must not learn it.
 */
class PpoToyTaskTest {
    static final int VOCAB = 8, TARGET = 3, NEW_TOKENS = 6;

    static final RewardFunction COUNT_TARGET = (queries, responses) -> {
        double[] out = new double[responses.length];
        for (int i = 0; i < responses.length; i++) {
            for (int id : responses[i]) if (id == TARGET) out[i] += 1.0 / NEW_TOKENS;
        }
        return out;
    };

    static GPTModel model() {
        return new GPTModel(new GPTConfig(VOCAB, 16, 32, 2, 1, 0f, false), false, new SeededRandom(7));
    }

    static List<int[]> prompts() {
        SeededRandom rng = new SeededRandom(1);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int[] p = new int[2 + rng.nextInt(3)];
            for (int j = 0; j < p.length; j++) p[j] = rng.nextInt(VOCAB);
            out.add(p);
        }
        return out;
    }

    static PpoSettings settings(int iterations, double beta) {
        return new PpoSettings(iterations, 16, 4, 4, beta, Double.NaN, 10_000, 0.2, 0.2, 0.1, 1.0, 0.95, 1e-2, 1.0, NEW_TOKENS, 1.0, 11);
    }

    static List<PpoTrainer.IterationReport> run(PpoSettings s, PpoLoss.PolicyObjective objective) {
        PolicyWithValueHead actor = new PolicyWithValueHead(model(), new SeededRandom(3));
        PpoTrainer ppo = new PpoTrainer(actor, ReferencePolicy.frozen(model()), COUNT_TARGET, prompts(), -1, s, null, 0);
        if (objective != null) ppo.objective(objective);
        return ppo.run();
    }

    static double mean(List<PpoTrainer.IterationReport> h, int from, int to, java.util.function.ToDoubleFunction<PpoTrainer.IterationReport> f) {
        return h.subList(from, to).stream().mapToDouble(f).average().orElseThrow();
    }

    @Test
    void rewardRisesToNearTheMaximumAndKlStaysBoundedWithAPenalty() {
        // The KL-penalised optimum gives the target π_ref·exp(r/β) / Z: with r = 1/6 per token and β = 0.01 that is
        // e^16.7 against 1 for each other token, so near 1 (with β = 0.1 it would be e^1.67 / (e^1.67 + 7) = 0.43).
        List<PpoTrainer.IterationReport> h = run(settings(40, 0.01), null);
        double start = mean(h, 0, 3, PpoTrainer.IterationReport::meanScore), end = mean(h, 35, 40, PpoTrainer.IterationReport::meanScore);
        System.out.printf("beta 0.01: reward %.3f -> %.3f, KL %.3f -> %.3f%n", start, end, h.get(0).meanKl(), h.get(39).meanKl());
        assertTrue(start < 0.3, "a random policy earns about 1/8: " + start);
        assertTrue(end > 0.85, "after 40 iterations the reward is near its maximum 1: " + end);
    }

    @Test
    void aLoRAPolicyIsItsOwnReferenceAndLearnsTheTaskToo() {
        GPTModel policy = model();
        policy.requiresGrad(false);
        llm.lora.LinearWithLoRA.replaceLinearWithLoRA(policy, 4, 8, new SeededRandom(5));
        PolicyWithValueHead actor = new PolicyWithValueHead(policy, new SeededRandom(3));
        long trained = actor.numParameters(), total = actor.totalParameters();
        PpoSettings s = new PpoSettings(40, 16, 4, 4, 0.01, Double.NaN, 10_000, 0.2, 0.2, 0.1, 1.0, 0.95, 3e-2, 1.0, NEW_TOKENS, 1.0, 11);
        List<PpoTrainer.IterationReport> h = new PpoTrainer(actor, ReferencePolicy.adaptersOff(policy), COUNT_TARGET, prompts(), -1, s, null, 0).run();
        double start = mean(h, 0, 3, PpoTrainer.IterationReport::meanScore), end = mean(h, 35, 40, PpoTrainer.IterationReport::meanScore);
        System.out.printf("LoRA: %d of %d parameters trained; reward %.3f -> %.3f, KL %.3f -> %.3f%n", trained, total, start, end, h.get(0).meanKl(), h.get(39).meanKl());
        assertTrue(trained < total / 4, "only the adapters and the value head train");
        assertTrue(Math.abs(h.get(0).meanKl()) < 1e-6, "B starts at 0: the policy is its reference at first, KL " + h.get(0).meanKl());
        assertTrue(end > 0.85 && h.get(39).meanKl() > 1, "the adapters learn the task, away from the base: " + end);
    }

    @Test
    void withoutAPenaltyTheKlGrowsFurther() {
        List<PpoTrainer.IterationReport> penalised = run(settings(40, 1.0), null);
        List<PpoTrainer.IterationReport> free = run(settings(40, 0.0), null);
        double klPenalised = mean(penalised, 35, 40, PpoTrainer.IterationReport::meanKl), klFree = mean(free, 35, 40, PpoTrainer.IterationReport::meanKl);
        System.out.printf("KL over the last 5 iterations: beta 1.0 %.3f, beta 0 %.3f%n", klPenalised, klFree);
        assertTrue(klPenalised < 6.0, "β = 1 keeps the KL bounded: " + klPenalised);
        assertTrue(klFree > klPenalised + 1.0, "β = 0 lets it grow further: " + klFree + " vs " + klPenalised);
    }

    @Test
    void aWrongSignOfTheAdvantageOrTheRatioDoesNotLearn() {
        PpoLoss.PolicyObjective negatedAdvantage = (lp, old, adv, eps) -> PpoLoss.clippedPolicyLoss(lp, old, adv.neg(), eps);
        PpoLoss.PolicyObjective invertedRatio = (lp, old, adv, eps) -> {
            // ρ = π_old / π_θ instead of π_θ / π_old
            Tensor ratio = Tensor.constant(old).sub(lp).exp(), a = Tensor.constant(adv);
            return ratio.mul(a).minimum(ratio.clamp((float) (1 - eps), (float) (1 + eps)).mul(a)).mean().neg();
        };
        for (PpoLoss.PolicyObjective broken : List.of(negatedAdvantage, invertedRatio)) {
            List<PpoTrainer.IterationReport> h = run(settings(40, 0.1), broken);
            double end = mean(h, 35, 40, PpoTrainer.IterationReport::meanScore);
            System.out.printf("broken objective: reward %.3f -> %.3f%n", mean(h, 0, 3, PpoTrainer.IterationReport::meanScore), end);
            assertTrue(end < 0.3, "a wrong sign must not learn the task: " + end);
        }
    }

}
