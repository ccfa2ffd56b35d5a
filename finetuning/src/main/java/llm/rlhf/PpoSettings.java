package llm.rlhf;

/**
 * The settings of a PPO run (Book §8.5), with the defaults of the standard RLHF recipe (Ziegler et al., 2019; TRL).
 *
 * @param iterations    rollouts to collect and learn from
 * @param rolloutBatch  prompts per rollout, one response each (8)
 * @param minibatch     responses per optimiser step (4)
 * @param ppoEpochs     passes over each rollout (4)
 * @param klCoef        β of the KL penalty, or its starting value when adaptive (0.05)
 * @param targetKl      the adaptive controller's target KL, or NaN for a fixed β
 * @param klHorizon     the adaptive controller's horizon in responses (10,000)
 * @param clip          ε of the clipped objective (0.2)
 * @param valueClip     how far a value may move from the rollout's before its loss is clipped (0.2)
 * @param vfCoef        weight of the value loss (0.1)
 * @param gamma         discount (1)
 * @param lambda        GAE's λ (0.95)
 * @param lr            AdamW's learning rate (1e-5)
 * @param maxGradNorm   gradient clipping (1.0; 0 for none)
 * @param maxNewTokens  longest response (32)
 * @param temperature   sampling temperature (0.7)
 * @param seed          seed of prompt order, sampling and the value head's start
 */
public record PpoSettings(int iterations, int rolloutBatch, int minibatch, int ppoEpochs, double klCoef, double targetKl, double klHorizon,
                          double clip, double valueClip, double vfCoef, double gamma, double lambda, double lr, double maxGradNorm,
                          int maxNewTokens, double temperature, long seed) {
    public PpoSettings {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be at least 1, got " + iterations);
        if (rolloutBatch < 2) throw new IllegalArgumentException("rollout batch must be at least 2 (advantages are whitened over it), got " + rolloutBatch);
        if (minibatch < 1 || minibatch > rolloutBatch || rolloutBatch % minibatch != 0) {
            throw new IllegalArgumentException("minibatch must divide the rollout batch " + rolloutBatch + ", got " + minibatch);
        }
        if (ppoEpochs < 1) throw new IllegalArgumentException("PPO epochs must be at least 1, got " + ppoEpochs);
        if (!(klCoef >= 0)) throw new IllegalArgumentException("KL coefficient must be >= 0, got " + klCoef);
        if (!Double.isNaN(targetKl) && !(targetKl > 0)) throw new IllegalArgumentException("target KL must be > 0, got " + targetKl);
        if (!(clip > 0 && clip < 1)) throw new IllegalArgumentException("clip must be in (0, 1), got " + clip);
        if (!(valueClip > 0)) throw new IllegalArgumentException("value clip must be > 0, got " + valueClip);
        if (!(vfCoef >= 0)) throw new IllegalArgumentException("value loss coefficient must be >= 0, got " + vfCoef);
        if (!(gamma > 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1)) throw new IllegalArgumentException("gamma must be in (0, 1] and lambda in [0, 1]");
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max gradient norm must be >= 0, got " + maxGradNorm);
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0 (PPO needs sampled responses), got " + temperature);
    }

    /** The defaults above, for {@code iterations} rollouts. */
    public static PpoSettings defaults(int iterations) {
        return new PpoSettings(iterations, 8, 4, 4, 0.05, Double.NaN, 10_000, 0.2, 0.2, 0.1, 1.0, 0.95, 1e-5, 1.0, 32, 0.7, 123);
    }

    /** Optimiser steps per rollout. */
    public int stepsPerIteration() {
        return ppoEpochs * (rolloutBatch / minibatch);
    }

    public KlController klController() {
        return Double.isNaN(targetKl) ? KlController.fixed(klCoef) : KlController.adaptive(klCoef, targetKl, klHorizon);
    }

    public PpoSettings withIterations(int n) {
        return new PpoSettings(n, rolloutBatch, minibatch, ppoEpochs, klCoef, targetKl, klHorizon, clip, valueClip, vfCoef, gamma, lambda, lr,
                maxGradNorm, maxNewTokens, temperature, seed);
    }
}
