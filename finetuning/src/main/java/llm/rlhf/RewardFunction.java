package llm.rlhf;

/**
 * What PPO maximises (Book §8.5): a score for each response to its prompt. A trained {@link RewardModel} is one; a
 * test can compute its own (count a token, reward ending early) to check that the policy learns to earn it.
 */
@FunctionalInterface
public interface RewardFunction {
    /**
     * One score per response. {@code responses[i]} holds the sampled tokens, ending with the end-of-text token when
     * the policy chose to stop.
     */
    double[] score(int[][] queries, int[][] responses);
}
