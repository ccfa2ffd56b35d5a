package llm.rlhf;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.autograd.fused.TokenLogProbs;
import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.gpt.GPTModel;
import llm.tensor.NDArray;

/**
 * One PPO rollout (Book §8.5), in the order the standard recipe collects it:
 * <ol>
 * <li>sample a response to each prompt from the policy (temperature, at most {@code maxNewTokens}, ending at the
 * end-of-text token, which is kept as the response's last action), through the KV cache;
 * <li>one pass of the policy over prompt + response for the log-probabilities of the sampled tokens and the value
 * estimates, one pass of the frozen reference for its log-probabilities;
 * <li>the reward model's score of each whole response;
 * <li>per-token rewards with the KL penalty ({@link KlPenalty}), advantages and returns by GAE ({@link Gae}), the
 * advantages whitened over the rollout.
 * </ol>
 * {@link #minibatch} hands out the parts of it that one optimiser step learns from.
 */
public final class Rollout {
    final int[][] queries, responses;
    final float[][] logprobs, refLogprobs, values, rewards, advantages, returns;
    final double[] scores;
    final double beta;
    private final int padId;

    private Rollout(int[][] queries, int[][] responses, float[][] logprobs, float[][] refLogprobs, float[][] values, double[] scores,
                    double beta, double gamma, double lambda, int padId) {
        this.queries = queries;
        this.responses = responses;
        this.logprobs = logprobs;
        this.refLogprobs = refLogprobs;
        this.values = values;
        this.scores = scores;
        this.beta = beta;
        this.padId = padId;
        this.rewards = KlPenalty.rewards(logprobs, refLogprobs, scores, beta);
        Gae.Advantages gae = Gae.computeAdvantages(rewards, values, gamma, lambda);
        this.advantages = Gae.whiten(gae.advantages());
        this.returns = gae.returns();
    }

    /**
     * Samples and scores a response to each of {@code queries}. Response {@code i} is sampled with the seed
     * {@code seed + i}. {@code endOfText} stops a response (-1: none); it also pads the batches.
     */
    public static Rollout collect(PolicyWithValueHead actor, ReferencePolicy reference, RewardFunction reward, int[][] queries, PpoSettings s,
                                  double beta, long seed, int endOfText) {
        GPTModel policy = actor.policy();
        int context = policy.config().contextLength();
        int[][] responses = new int[queries.length][];
        actor.eval();
        for (int i = 0; i < queries.length; i++) {
            if (queries[i].length + s.maxNewTokens() > context) {
                throw new IllegalArgumentException("prompt " + i + " has " + queries[i].length + " tokens; with " + s.maxNewTokens()
                        + " new tokens it exceeds the policy's context of " + context);
            }
            SamplingOptions sampling = new SamplingOptions((float) s.temperature(), 0, 1f, endOfText, seed + i);
            int[] out = Generator.generate(policy, queries[i], s.maxNewTokens(), context, sampling, id -> {});
            int[] response = Arrays.copyOfRange(out, queries[i].length, out.length);
            // Generation stops before appending the end-of-text token; it was chosen, so it is an action too.
            boolean stopped = response.length < s.maxNewTokens() && endOfText >= 0;
            responses[i] = stopped ? append(response, endOfText) : response;
        }
        int pad = Math.max(endOfText, 0);
        float[][] logprobs = new float[queries.length][], refLogprobs = new float[queries.length][], values = new float[queries.length][];
        try (var off = Grad.off()) {
            for (int start = 0; start < queries.length; start += s.minibatch()) {
                int[] samples = range(start, Math.min(queries.length, start + s.minibatch()));
                SequenceBatch batch = SequenceBatch.of(queries, responses, samples, pad);
                PolicyWithValueHead.Output out = actor.forward(batch, s.temperature());
                TokenLogProbs.Result ref = reference.logProbs(batch, s.temperature());
                float[][] lp = batch.perResponse(out.logProbs().logProbs().data().toArray());
                float[][] rlp = batch.perResponse(ref.logProbs().data().toArray());
                float[][] v = batch.perResponse(out.values().data().toArray());
                for (int k = 0; k < samples.length; k++) {
                    logprobs[samples[k]] = lp[k];
                    refLogprobs[samples[k]] = rlp[k];
                    values[samples[k]] = v[k];
                }
            }
        }
        double[] scores = reward.score(queries, responses);
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalStateException("the reward for response " + i + " is " + scores[i] + "; PPO stops before learning from it");
            }
        }
        Rollout r = new Rollout(queries, responses, logprobs, refLogprobs, values, scores, beta, s.gamma(), s.lambda(), pad);
        r.checkFinite();
        return r;
    }

    private void checkFinite() {
        for (int i = 0; i < advantages.length; i++) {
            for (int t = 0; t < advantages[i].length; t++) {
                if (!Float.isFinite(advantages[i][t]) || !Float.isFinite(returns[i][t])) {
                    throw new IllegalStateException("the advantage of token " + t + " of response " + i + " is " + advantages[i][t]
                            + " (log-probability " + logprobs[i][t] + ", reference " + refLogprobs[i][t] + ", value " + values[i][t]
                            + "); PPO stops before learning from it");
                }
            }
        }
    }

    /** The sequences and recorded values of the responses {@code samples}, for one optimiser step. */
    public PpoMinibatch minibatch(int[] samples) {
        SequenceBatch batch = SequenceBatch.of(queries, responses, samples, padId);
        return new PpoMinibatch(batch, flat(logprobs, samples), flat(values, samples), flat(advantages, samples), flat(returns, samples));
    }

    private static NDArray flat(float[][] perResponse, int[] samples) {
        int n = 0;
        for (int i : samples) n += perResponse[i].length;
        float[] out = new float[n];
        int k = 0;
        for (int i : samples) {
            System.arraycopy(perResponse[i], 0, out, k, perResponse[i].length);
            k += perResponse[i].length;
        }
        return NDArray.of(out, n);
    }

    public int size() {
        return queries.length;
    }

    public int[][] responses() {
        return responses;
    }

    /** The reward model's mean score. */
    public double meanScore() {
        return Arrays.stream(scores).average().orElse(Double.NaN);
    }

    /** The mean KL estimate to the reference, {@link KlPenalty#meanKl}. */
    public double meanKl() {
        return KlPenalty.meanKl(logprobs, refLogprobs);
    }

    /** The mean of the per-token rewards summed over each response: score minus β·KL. */
    public double meanTotalReward() {
        double total = 0;
        for (float[] row : rewards) for (float v : row) total += v;
        return total / rewards.length;
    }

    public double meanResponseLength() {
        return Arrays.stream(responses).mapToInt(r -> r.length).average().orElse(0);
    }

    static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) out[i] = from + i;
        return out;
    }

    private static int[] append(int[] a, int x) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }
}
