package llm.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.rlhf.PolicyWithValueHead;
import llm.rlhf.PpoSettings;
import llm.lora.LinearWithLoRA;
import llm.rlhf.PpoTrainer;
import llm.rlhf.ReferencePolicy;
import llm.rlhf.RewardModel;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;

/**
 * What PPO (Book §8.5) costs at GPT-2 sizes: the policy with its value head, the frozen reference and a reward model
 * of the same size held at once, the heap they take, and the time of PPO iterations (rollout of {@code R} prompts of
 * 64 tokens, {@code N} new tokens each, no end-of-text so every response is full length, 4 epochs of minibatches of
 * {@code R/2}); with a LoRA rank as fifth argument, the policy trains adapters and is its own reference. Random weights: the time does not depend on the values when the lengths are fixed.
 *
 * {@snippet :
 * java --add-modules jdk.incubator.vector -Xmx20g -cp benchmarks/target/benchmarks.jar llm.bench.PpoBench gpt2-small 4 32 2
 * }
 */
public final class PpoBench {
    private PpoBench() {}

    public static void main(String[] args) throws IOException {
        GPTConfig cfg = GPTConfig.named(args.length > 0 ? args[0] : "gpt2-small").withDropRate(0f);
        int rollout = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int loraRank = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        GPTModel policy = new GPTModel(cfg, true, new SeededRandom(1));
        ReferencePolicy reference;
        if (loraRank > 0) {            // one copy of the base: the reference is the policy with its adapters off
            policy.requiresGrad(false);
            LinearWithLoRA.replaceLinearWithLoRA(policy, loraRank, 16, new SeededRandom(6));
            reference = ReferencePolicy.adaptersOff(policy);
        } else {
            reference = ReferencePolicy.frozen(new GPTModel(cfg, true, new SeededRandom(1)));
        }
        RewardModel rm = RewardModel.fromBase(new GPTModel(cfg, true, new SeededRandom(2)), -1, new SeededRandom(3));
        System.gc();
        Runtime rt = Runtime.getRuntime();
        double modelsGb = (rt.totalMemory() - rt.freeMemory()) / 1e9;   // policy, reference (unless LoRA shares it), reward model
        SeededRandom rng = new SeededRandom(5);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < rollout; i++) {
            int[] p = new int[64];
            for (int j = 0; j < p.length; j++) p[j] = rng.nextInt(cfg.vocabSize());
            prompts.add(p);
        }
        PpoSettings s = new PpoSettings(iterations, rollout, Math.max(1, rollout / 2), 4, 0.05, Double.NaN, 10_000, 0.2, 0.2, 0.1, 1.0, 0.95,
                1e-5, 1.0, newTokens, 1.0, 7);
        PpoTrainer ppo = new PpoTrainer(new PolicyWithValueHead(policy, new SeededRandom(4)), reference, rm, prompts, -1, s, null, 0);
        ppo.listener(r -> System.out.printf("iteration %d: %.1f s (KL %.3f)%n", r.iteration(), r.seconds(), r.meanKl()));
        var h = ppo.run();
        System.out.printf("%s%s, %d threads, rollout %d x (64 + %d) tokens: %,d parameters per model, %,d trained; heap after loading the models %.2f GB; "
                        + "last iteration %.1f s; peak RSS %.2f GB%n", args.length > 0 ? args[0] : "gpt2-small", loraRank > 0 ? " LoRA rank " + loraRank : "",
                Parallelism.DEFAULT.threads(), rollout, newTokens, policy.totalParameters() - (loraRank > 0 ? policy.numParameters() : 0),
                policy.numParameters(), modelsGb, h.get(h.size() - 1).seconds(), TrainBench.peakRssGigabytes());
    }
}
