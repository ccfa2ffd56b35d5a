package llm.rlhf;

/**
 * Generalised advantage estimation (Schulman et al., 2016), as PPO for RLHF uses it (Book §8.5; the "N
 * implementation details of RLHF with PPO" study; TRL). Each response token is one action; with per-token rewards
 * {@code r_t} and value estimates {@code V_t} (the value head's guess of the reward still to come before token
 * {@code t} is chosen), going backwards from the last token:
 * <pre>
 * δ_t = r_t + γ V_{t+1} - V_t          (V after the last token is 0: the episode ends there)
 * A_t = δ_t + γ λ A_{t+1}
 * R_t = A_t + V_t                      (the return the value head is trained towards)
 * </pre>
 * With γ = 1 and λ = 1 the advantage is the whole remaining reward minus {@code V_t}; λ = 0.95 trades a little bias
 * for less variance. {@link #whiten} then scales the advantages of a rollout to mean 0 and variance 1.
 */
public final class Gae {
    private Gae() {}

    /** Advantages and returns, one row per response, each as long as its response. */
    public record Advantages(float[][] advantages, float[][] returns) {}

    /** GAE for each response: {@code rewards[b]} and {@code values[b]} have one entry per response token. */
    public static Advantages computeAdvantages(float[][] rewards, float[][] values, double gamma, double lambda) {
        float[][] adv = new float[rewards.length][], ret = new float[rewards.length][];
        for (int b = 0; b < rewards.length; b++) {
            int n = rewards[b].length;
            if (values[b].length != n) {
                throw new IllegalArgumentException("GAE: response " + b + " has " + n + " rewards but " + values[b].length + " values");
            }
            adv[b] = new float[n];
            ret[b] = new float[n];
            double next = 0, nextValue = 0;                      // A_{t+1} and V_{t+1}, both 0 after the last token
            for (int t = n - 1; t >= 0; t--) {
                double delta = rewards[b][t] + gamma * nextValue - values[b][t];
                next = delta + gamma * lambda * next;
                adv[b][t] = (float) next;
                ret[b][t] = (float) (next + values[b][t]);
                nextValue = values[b][t];
            }
        }
        return new Advantages(adv, ret);
    }

    /**
     * Every entry of every row shifted and scaled to mean 0 and variance 1 over the whole rollout (TRL's
     * {@code masked_whiten}, with the unbiased variance and 1e-8 added under the square root).
     */
    public static float[][] whiten(float[][] x) {
        double sum = 0;
        long n = 0;
        for (float[] row : x) for (float v : row) { sum += v; n++; }
        if (n < 2) throw new IllegalArgumentException("whiten: needs at least 2 values, got " + n);
        double mean = sum / n, squares = 0;
        for (float[] row : x) for (float v : row) squares += (v - mean) * (v - mean);
        double scale = 1 / Math.sqrt(squares / (n - 1) + 1e-8);
        float[][] out = new float[x.length][];
        for (int b = 0; b < x.length; b++) {
            out[b] = new float[x[b].length];
            for (int t = 0; t < x[b].length; t++) out[b][t] = (float) ((x[b][t] - mean) * scale);
        }
        return out;
    }
}
