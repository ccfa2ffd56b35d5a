package llm.examples;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Tensor;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.rlhf.Gae;
import llm.rlhf.PolicyWithValueHead;
import llm.rlhf.PpoLoss;
import llm.rlhf.PpoSettings;
import llm.rlhf.PpoTrainer;
import llm.rlhf.ReferencePolicy;
import llm.rlhf.RewardFunction;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Book §8.5, PPO: GAE and the clipped objective on numbers worked out by hand, then PPO teaching a small random GPT
 * a task whose reward is computed here (1/6 for each of its 6 response tokens that is token 3), with the reward
 * rising and the KL to the reference. {@code ./llm ppo} runs it against a trained reward model.
 */
public final class Ch08PPO {
    private Ch08PPO() {}

    public static void main(String[] args) {
        Gae.Advantages gae = Gae.computeAdvantages(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.6f, 0.7f}}, 1.0, 0.95);
        System.out.printf("GAE of rewards [0, 0, 1], values [0.5, 0.6, 0.7]: advantages [%.5f, %.3f, %.1f], returns [%.5f, %.3f, %.1f]%n",
                gae.advantages()[0][0], gae.advantages()[0][1], gae.advantages()[0][2], gae.returns()[0][0], gae.returns()[0][1], gae.returns()[0][2]);
        Tensor logprobs = Tensor.constant(NDArray.of(new float[] {(float) Math.log(1.5), (float) Math.log(0.5)}, 2));
        for (float a : new float[] {2, -2}) {
            Tensor loss = PpoLoss.clippedPolicyLoss(logprobs, NDArray.zeros(2), NDArray.of(new float[] {a, a}, 2), 0.2);
            System.out.printf("clipped objective for ratios [1.5, 0.5], advantage %+.0f: %.2f%n", a, -loss.item());
        }

        RewardFunction countThrees = (queries, responses) -> {
            double[] out = new double[responses.length];
            for (int i = 0; i < responses.length; i++) for (int id : responses[i]) if (id == 3) out[i] += 1.0 / 6;
            return out;
        };
        GPTConfig tiny = new GPTConfig(8, 16, 32, 2, 1, 0f, false);
        SeededRandom rng = new SeededRandom(1);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 32; i++) prompts.add(new int[] {rng.nextInt(8), rng.nextInt(8), rng.nextInt(8)});
        PpoSettings s = new PpoSettings(40, 16, 4, 4, 0.01, Double.NaN, 10_000, 0.2, 0.2, 0.1, 1.0, 0.95, 1e-2, 1.0, 6, 1.0, 11);
        PpoTrainer ppo = new PpoTrainer(new PolicyWithValueHead(new GPTModel(tiny, false, new SeededRandom(7)), new SeededRandom(3)),
                ReferencePolicy.frozen(new GPTModel(tiny, false, new SeededRandom(7))), countThrees, prompts, -1, s, null, 0);
        ppo.listener(r -> {
            if (r.iteration() == 1 || r.iteration() % 10 == 0) {
                System.out.printf("iteration %2d: mean reward %.2f, KL to the reference %.1f%n", r.iteration(), r.meanScore(), r.meanKl());
            }
        });
        var history = ppo.run();
        System.out.println(history.get(history.size() - 1).meanScore() > 0.9 ? "the policy now writes token 3 almost always" : "the policy did not learn the task");
    }
}
