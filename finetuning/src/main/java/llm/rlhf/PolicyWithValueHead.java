package llm.rlhf;

import llm.autograd.Tensor;
import llm.autograd.fused.TokenLogProbs;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.nn.Module;
import llm.tensor.SeededRandom;

/**
 * The model PPO trains (Book §8.5): the policy GPT and a value head, a {@code Linear(C, 1)} on the same final hidden
 * states as the output head, which estimates at each response position the reward still to come. Sharing the trunk
 * (TRL's {@code AutoModelForCausalLMWithValueHead}) keeps one copy of the weights instead of a separate critic of
 * the same size; the value loss then shapes the trunk too, weighted by {@code vfCoef}.
 *
 * <p>Dropout stays off while training ({@link #train()} keeps evaluation mode): the probability ratio of PPO's first
 * minibatch must be exactly 1, and TRL sets dropout to 0 for the same reason.
 */
public final class PolicyWithValueHead extends Module {
    private final GPTModel policy;
    private final Linear valueHead;

    /** Log-probabilities and entropies of the response tokens, and the value estimate at each. */
    public record Output(TokenLogProbs.Result logProbs, Tensor values) {}

    public PolicyWithValueHead(GPTModel policy, SeededRandom rng) {
        this.policy = registerModule("policy", policy);
        this.valueHead = registerModule("value_head", new Linear(policy.config().embDim(), 1, true, rng));
    }

    public GPTModel policy() {
        return policy;
    }

    public Linear valueHead() {
        return valueHead;
    }

    /** The response tokens' log-probabilities (logits divided by {@code temperature}) and values, from one pass of the trunk. */
    public Output forward(SequenceBatch batch, double temperature) {
        Tensor hidden = batch.hiddenAtRows(policy);                                    // (N, C)
        TokenLogProbs.Result logProbs = TokenLogProbs.apply(batch.responseLogits(policy, hidden, temperature), batch.tokens());
        Tensor values = valueHead.forward(hidden).reshape(hidden.dim(0));              // (N)
        return new Output(logProbs, values);
    }

    /** Stays in evaluation mode: PPO updates without dropout. */
    @Override
    public void train() {
        eval();
    }
}
