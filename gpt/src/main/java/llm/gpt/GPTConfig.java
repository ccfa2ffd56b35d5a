package llm.gpt;

/**
 * The sizes of a GPT model (Book §4.1, {@code GPT_CONFIG_124M}), validated on construction, with the four
 * GPT-2 presets.
 *
 * @param vocabSize     V, number of token ids
 * @param contextLength the most tokens the model sees at once
 * @param embDim        C, the width of every token's vector
 * @param nHeads        NH, attention heads (C must divide by it)
 * @param nLayers       transformer blocks
 * @param dropRate      dropout probability
 * @param qkvBias       whether the query, key and value projections have a bias
 */
public record GPTConfig(int vocabSize, int contextLength, int embDim, int nHeads, int nLayers, float dropRate, boolean qkvBias) {
    /** GPT-2 small, the book's 124M configuration (qkv_bias false, dropout 0.1). */
    public static final GPTConfig GPT2_SMALL = new GPTConfig(50257, 1024, 768, 12, 12, 0.1f, false);
    public static final GPTConfig GPT2_MEDIUM = new GPTConfig(50257, 1024, 1024, 16, 24, 0.1f, false);
    public static final GPTConfig GPT2_LARGE = new GPTConfig(50257, 1024, 1280, 20, 36, 0.1f, false);
    public static final GPTConfig GPT2_XL = new GPTConfig(50257, 1024, 1600, 25, 48, 0.1f, false);

    /**
     * The freeCodeCamp course's character-level GPT on tinyshakespeare: 65 characters, 256 characters of
     * context, 384-wide, 6 heads, 6 layers, dropout 0.2.
     */
    public static final GPTConfig COURSE_CHAR_GPT = new GPTConfig(65, 256, 384, 6, 6, 0.2f, false);

    public GPTConfig {
        if (vocabSize < 1) throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        if (contextLength < 1) throw new IllegalArgumentException("contextLength must be positive, got " + contextLength);
        if (embDim < 1 || nHeads < 1 || embDim % nHeads != 0) {
            throw new IllegalArgumentException("embDim " + embDim + " must be a positive multiple of nHeads " + nHeads);
        }
        if (nLayers < 1) throw new IllegalArgumentException("nLayers must be positive, got " + nLayers);
        if (dropRate < 0 || dropRate >= 1) throw new IllegalArgumentException("dropRate must be in [0, 1), got " + dropRate);
    }

    /** A preset by name: gpt2-small, gpt2-medium, gpt2-large, gpt2-xl. */
    public static GPTConfig named(String name) {
        return switch (name) {
            case "gpt2-small", "124M" -> GPT2_SMALL;
            case "gpt2-medium", "355M" -> GPT2_MEDIUM;
            case "gpt2-large", "774M" -> GPT2_LARGE;
            case "gpt2-xl", "1558M" -> GPT2_XL;
            default -> throw new IllegalArgumentException("unknown model '" + name + "': gpt2-small, gpt2-medium, gpt2-large or gpt2-xl");
        };
    }

    public GPTConfig withContextLength(int n) {
        return new GPTConfig(vocabSize, n, embDim, nHeads, nLayers, dropRate, qkvBias);
    }

    public GPTConfig withDropRate(float p) {
        return new GPTConfig(vocabSize, contextLength, embDim, nHeads, nLayers, p, qkvBias);
    }

    public GPTConfig withQkvBias(boolean bias) {
        return new GPTConfig(vocabSize, contextLength, embDim, nHeads, nLayers, dropRate, bias);
    }

    /** Parameters of one block's attention: Q, K, V (with optional bias) and the output projection. */
    public long attentionParameters() {
        long c = embDim;
        return 3 * c * c + (qkvBias ? 3 * c : 0) + c * c + c;
    }

    /** Parameters of one block's feed-forward network: C → 4C → C, with biases. */
    public long feedForwardParameters() {
        long c = embDim;
        return c * 4 * c + 4 * c + 4 * c * c + c;
    }

    /** Parameters of the whole model, computed from the sizes alone; the output head shares the token embedding when tied. */
    public long parameterCount(boolean tiedHead) {
        long c = embDim;
        long block = attentionParameters() + feedForwardParameters() + 4 * c; // two LayerNorms
        long embeddings = (long) vocabSize * c + (long) contextLength * c;
        return embeddings + nLayers * block + 2 * c + (tiedHead ? 0 : (long) vocabSize * c);
    }
}
