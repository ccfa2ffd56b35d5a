package llm.examples;

import llm.attention.CausalAttention;
import llm.attention.MultiHeadAttention;
import llm.attention.MultiHeadAttentionWrapper;
import llm.attention.SelfAttentionV1;
import llm.attention.SelfAttentionV2;
import llm.attention.SimplifiedSelfAttention;
import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Book chapter 3, "Coding attention mechanisms", one step per class on the book's six-token toy input
 * "Your journey starts with one step": simplified self-attention (§3.3), trainable weights (§3.4), causal
 * masking with dropout (§3.5), and multi-head attention (§3.6).
 */
public final class Ch03SelfAttention {
    private Ch03SelfAttention() {}

    public static void main(String[] args) {
        NDArray inputs = NDArray.of(new float[][] {
                {0.43f, 0.15f, 0.89f}, {0.55f, 0.87f, 0.66f}, {0.57f, 0.85f, 0.64f},
                {0.22f, 0.58f, 0.33f}, {0.77f, 0.25f, 0.10f}, {0.05f, 0.80f, 0.55f}});
        System.out.println("§3.3 scores of query 2:  " + SimplifiedSelfAttention.scores(inputs).select(0, 1));
        System.out.println("§3.3 weights of query 2: " + SimplifiedSelfAttention.weights(inputs).select(0, 1));
        System.out.println("§3.3 context of query 2: " + SimplifiedSelfAttention.context(inputs).select(0, 1));

        SeededRandom rng = new SeededRandom(123);
        try (var off = Grad.off()) {
            Tensor x = Tensor.constant(inputs);
            System.out.println("§3.4 SelfAttentionV1 (3 -> 2): " + new SelfAttentionV1(3, 2, rng).forward(x));
            System.out.println("§3.4 SelfAttentionV2 (3 -> 2): " + new SelfAttentionV2(3, 2, false, rng).forward(x));
            Tensor batch = Tensor.constant(NDArray.stack(java.util.List.of(inputs, inputs), 0)); // (2, 6, 3)
            System.out.println("§3.5 CausalAttention on a batch of 2: shape " + java.util.Arrays.toString(
                    new CausalAttention(3, 2, 6, 0f, false, rng).forward(batch).shape()));
            System.out.println("§3.6 MultiHeadAttentionWrapper, 2 heads of 2: shape " + java.util.Arrays.toString(
                    new MultiHeadAttentionWrapper(3, 2, 6, 0f, 2, false, rng).forward(batch).shape()));
            MultiHeadAttention mha = new MultiHeadAttention(3, 2, 6, 0f, 2, false, rng);
            System.out.println("§3.6 MultiHeadAttention, d_out 2 over 2 heads: " + mha.forward(batch));
            System.out.println("    parameters: " + mha.numParameters() + " " + mha.stateDict().keySet());
        }
    }
}
