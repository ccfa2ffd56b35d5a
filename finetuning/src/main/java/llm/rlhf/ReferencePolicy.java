package llm.rlhf;

import llm.autograd.fused.TokenLogProbs;
import llm.gpt.GPTModel;
import llm.lora.LinearWithLoRA;

/**
 * The frozen reference the KL penalty measures the policy against (Book §8.5): the starting policy. With full
 * fine-tuning it is a second, frozen copy of the starting weights ({@link #frozen}). With a LoRA policy the base
 * weights never change, so the policy itself with its adapters switched off is the reference ({@link #adaptersOff}),
 * and one copy of the base weights serves both.
 */
@FunctionalInterface
public interface ReferencePolicy {
    /** The reference's log-probabilities of the batch's response tokens (logits divided by {@code temperature}). */
    TokenLogProbs.Result logProbs(SequenceBatch batch, double temperature);

    /** A separate copy of the starting policy, frozen and in evaluation mode. */
    static ReferencePolicy frozen(GPTModel reference) {
        reference.eval();
        reference.requiresGrad(false);
        return (batch, temperature) -> batch.logProbs(reference, temperature);
    }

    /** The LoRA-adapted policy with its adapters off: its frozen base. */
    static ReferencePolicy adaptersOff(GPTModel policyWithLoRA) {
        return (batch, temperature) -> LinearWithLoRA.withAdaptersDisabled(policyWithLoRA, () -> batch.logProbs(policyWithLoRA, temperature));
    }
}
