package llm.bench;

import llm.gpt.GPTConfig;

/**
 * The model FLOPs of a GPT training step, the numerator of MFU (model FLOPs utilisation = these FLOPs / (step time ×
 * the measured FMA peak, {@link FmaPeak})). Counted as PaLM's appendix B and llm.c count them: 6 FLOPs per token per
 * parameter that takes part in a matrix product (2 forward, 4 backward) plus the attention products, {@code 12 · L
 * · T · C} per token (QKᵀ and P·V, forward and backward, over the full T × T: causal masking halves the useful work,
 * and this count does not subtract it, so that MFU compares with other reports). Embedding lookups, LayerNorm, GELU,
 * softmax and AdamW count nothing: they are the overhead MFU exposes.
 */
public final class ModelFlops {
    private ModelFlops() {}

    /** Parameters in matrix products: per block Q, K, V, the output projection and the MLP (12·C², with biases), and the head. */
    public static long matmulParameters(GPTConfig c) {
        long d = c.embDim();
        long perBlock = 4 * d * d + (c.qkvBias() ? 3 * d : 0) + d + 8 * d * d + 4 * d + d;
        return c.nLayers() * perBlock + (long) c.vocabSize() * d;
    }

    /** FLOPs of one training step (forward and backward) on {@code batch} sequences of {@code t} tokens. */
    public static double trainingStep(GPTConfig c, int batch, int t) {
        double tokens = (double) batch * t;
        return tokens * (6.0 * matmulParameters(c) + 12.0 * c.nLayers() * t * c.embDim());
    }
}
