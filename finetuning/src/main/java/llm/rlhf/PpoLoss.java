package llm.rlhf;

import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * PPO's losses for one minibatch of response tokens (Schulman et al., 2017; Book §8.5; TRL's {@code loss}), each
 * token one row, averaged over the tokens:
 * <pre>
 * ρ      = exp(log π_θ - log π_θold)                                   the probability ratio to the sampling policy
 * policy = -mean(min(ρ·A, clip(ρ, 1-ε, 1+ε)·A))                        the clipped surrogate objective, negated
 * value  = ½·mean(max((V - R)², (V_old + clip(V - V_old, -c, c) - R)²))  the clipped value loss
 * loss   = policy + vfCoef · value
 * </pre>
 * The clip takes away the incentive to move ρ beyond {@code [1-ε, 1+ε]} in the direction the advantage favours, so
 * several epochs over one rollout cannot push the policy far from the one that sampled it.
 */
public final class PpoLoss {
    private PpoLoss() {}

    /** What one minibatch's update logged. */
    public record Stats(double policyLoss, double valueLoss, double clipFraction, double approxKl, double entropy) {}

    /** The loss to minimise, and its parts for the log. */
    public record Result(Tensor loss, Stats stats) {}

    /** The policy part of the loss; {@link #clippedPolicyLoss} is PPO's, and tests swap in broken ones to show they fail. */
    @FunctionalInterface
    public interface PolicyObjective {
        Tensor loss(Tensor logprobs, NDArray oldLogprobs, NDArray advantages, double eps);
    }

    /** The clipped surrogate objective, negated for minimising, from new and old log-probabilities and advantages {@code (N)}. */
    public static Tensor clippedPolicyLoss(Tensor logprobs, NDArray oldLogprobs, NDArray advantages, double eps) {
        Tensor ratio = logprobs.sub(Tensor.constant(oldLogprobs)).exp();                      // ρ
        Tensor adv = Tensor.constant(advantages);
        Tensor unclipped = ratio.mul(adv);
        Tensor clipped = ratio.clamp((float) (1 - eps), (float) (1 + eps)).mul(adv);
        return unclipped.minimum(clipped).mean().neg();
    }

    /** The clipped value loss from new and old values and the returns {@code (N)}. */
    public static Tensor clippedValueLoss(Tensor values, NDArray oldValues, NDArray returns, double clip) {
        Tensor old = Tensor.constant(oldValues), target = Tensor.constant(returns);
        Tensor clippedValues = old.add(values.sub(old).clamp((float) -clip, (float) clip));
        Tensor unclippedError = values.sub(target).pow(2);
        Tensor clippedError = clippedValues.sub(target).pow(2);
        return unclippedError.maximum(clippedError).mean().mul(0.5f);
    }

    /** Both losses combined, and the statistics TRL logs (clip fraction, approximate KL {@code ½·mean((log ρ)²)}, entropy). */
    public static Result computePpoLoss(Tensor logprobs, Tensor values, NDArray entropy, PpoMinibatch mb, double eps, double valueClip, double vfCoef) {
        return computePpoLoss(PpoLoss::clippedPolicyLoss, logprobs, values, entropy, mb, eps, valueClip, vfCoef);
    }

    /** As above with another policy objective. */
    public static Result computePpoLoss(PolicyObjective objective, Tensor logprobs, Tensor values, NDArray entropy, PpoMinibatch mb,
                                        double eps, double valueClip, double vfCoef) {
        Tensor policy = objective.loss(logprobs, mb.oldLogprobs(), mb.advantages(), eps);
        Tensor value = clippedValueLoss(values, mb.oldValues(), mb.returns(), valueClip);
        float[] logRatio = logprobs.data().sub(mb.oldLogprobs()).toArray();
        double clipped = 0, approxKl = 0;
        for (float lr : logRatio) {
            double ratio = Math.exp(lr);
            if (ratio < 1 - eps || ratio > 1 + eps) clipped++;
            approxKl += 0.5 * lr * lr;
        }
        int n = logRatio.length;
        Stats stats = new Stats(policy.item(), value.item(), clipped / n, approxKl / n, entropy.mean().item());
        return new Result(policy.add(value.mul((float) vfCoef)), stats);
    }
}
