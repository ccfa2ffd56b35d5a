package llm.rlhf;

/**
 * The per-token rewards of RLHF (Ziegler et al., 2019; Book §8.5): the reward model scores a whole response once,
 * and every token pays for moving the policy away from the frozen reference model,
 * <pre>
 * r_t = -β · (log π(a_t) - log π_ref(a_t))            for every response token t
 * r_T += score                                          on the last one
 * </pre>
 * {@code log π - log π_ref} of the sampled tokens, summed over a response, estimates the KL divergence from the
 * policy to the reference for that response; its mean over a rollout is the KL the run reports and the adaptive
 * {@link KlController} steers.
 */
public final class KlPenalty {
    private KlPenalty() {}

    /** The per-token rewards of each response from its log-probabilities, its score and {@code beta}. */
    public static float[][] rewards(float[][] logprobs, float[][] refLogprobs, double[] scores, double beta) {
        float[][] out = new float[logprobs.length][];
        for (int b = 0; b < logprobs.length; b++) {
            int n = logprobs[b].length;
            if (n == 0) throw new IllegalArgumentException("KL penalty: response " + b + " has no tokens");
            out[b] = new float[n];
            for (int t = 0; t < n; t++) out[b][t] = (float) (-beta * (logprobs[b][t] - refLogprobs[b][t]));
            out[b][n - 1] += (float) scores[b];
        }
        return out;
    }

    /** The mean over responses of {@code Σ_t (log π - log π_ref)}: the rollout's KL estimate. */
    public static double meanKl(float[][] logprobs, float[][] refLogprobs) {
        double total = 0;
        for (int b = 0; b < logprobs.length; b++) {
            for (int t = 0; t < logprobs[b].length; t++) total += logprobs[b][t] - refLogprobs[b][t];
        }
        return total / logprobs.length;
    }
}
