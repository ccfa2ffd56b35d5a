package llm.gpt;

import llm.attention.KVCache;
import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.nn.Dropout;
import llm.nn.Embedding;
import llm.nn.LayerNorm;
import llm.nn.Linear;
import llm.nn.Module;
import llm.nn.ModuleList;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * The GPT-2 model (Book §4.6, {@code GPTModel}): token embeddings plus learned position embeddings, dropout,
 * {@code nLayers} transformer blocks, a final LayerNorm and a linear output head to vocabulary logits.
 *
 * <p>Parameters, by state-dictionary name (shapes for C = embDim, V = vocabSize, L = contextLength):
 * <pre>
 * tok_emb.weight                         (V, C)
 * pos_emb.weight                         (L, C)
 * trf_blocks.N.att.W_query.weight        (C, C)    (and .bias (C) with qkv_bias)
 * trf_blocks.N.att.W_key.weight          (C, C)
 * trf_blocks.N.att.W_value.weight        (C, C)
 * trf_blocks.N.att.out_proj.weight/bias  (C, C), (C)
 * trf_blocks.N.ff.layers.0.weight/bias   (4C, C), (4C)
 * trf_blocks.N.ff.layers.2.weight/bias   (C, 4C), (C)
 * trf_blocks.N.norm1.scale/shift         (C), (C)
 * trf_blocks.N.norm2.scale/shift         (C), (C)
 * final_norm.scale/shift                 (C), (C)
 * out_head.weight                        (V, C)    (the same tensor as tok_emb.weight when tied)
 * </pre>
 *
 * {@snippet :
 * GPTModel model = new GPTModel(GPTConfig.GPT2_SMALL, false, new SeededRandom(123));
 * model.numParameters();                         // 163,009,536
 * Tensor logits = model.forward(ids);           // (B, T) -> (B, T, 50257)
 * }
 */
public final class GPTModel extends Module {
    private final GPTConfig config;
    private final SeededRandom rng;
    final Embedding tokEmb, posEmb;
    final Dropout dropEmb;
    final ModuleList<TransformerBlock> trfBlocks;  // typed: the cached forward calls each block's forwardCached
    final LayerNorm finalNorm;
    Linear outHead;                                  // replaced by a classifier head in Book §6.5

    /**
     * @param tieWeights share the token embedding matrix with the output head (GPT-2's choice), instead of a
     *                   separate head (the book's default)
     */
    public GPTModel(GPTConfig config, boolean tieWeights, SeededRandom rng) {
        this.config = config;
        this.rng = rng;
        tokEmb = registerModule("tok_emb", new Embedding(config.vocabSize(), config.embDim(), rng));
        posEmb = registerModule("pos_emb", new Embedding(config.contextLength(), config.embDim(), rng));
        dropEmb = registerModule("drop_emb", new Dropout(config.dropRate(), rng));
        trfBlocks = registerModule("trf_blocks", new ModuleList<>());
        for (int i = 0; i < config.nLayers(); i++) trfBlocks.add(new TransformerBlock(config, rng));
        finalNorm = registerModule("final_norm", new LayerNorm(config.embDim()));
        outHead = registerModule("out_head", tieWeights ? Linear.sharing(tokEmb.weight) : new Linear(config.embDim(), config.vocabSize(), false, rng));
    }

    public GPTConfig config() {
        return config;
    }

    /** The generator every dropout layer draws its masks from; a training checkpoint saves its state. */
    public SeededRandom random() {
        return rng;
    }

    /** True when the output head is the token embedding matrix itself (GPT-2's weight tying). */
    public boolean tiedHead() {
        return outHead.weight == tokEmb.weight;
    }

    /** The output head: {@code (C) -> (V)} for a language model, {@code (C) -> (classes)} for a classifier. */
    public Linear outHead() {
        return outHead;
    }

    /**
     * Puts {@code head} in place of the output head (Book §6.5, {@code model.out_head = torch.nn.Linear(768, 2)}):
     * the model then maps each position to {@code head.outFeatures()} scores instead of vocabulary logits.
     */
    public void replaceOutputHead(Linear head) {
        if (head.inFeatures() != config.embDim()) {
            throw new IllegalArgumentException("GPTModel: a new head must read " + config.embDim() + " features, got " + head.inFeatures());
        }
        outHead = replaceModule("out_head", head);
    }

    /** Token ids {@code (B, T)} to logits {@code (B, T, V)}; T may not exceed the context length. */
    public Tensor forward(IntNDArray ids) {
        return outHead.forward(hiddenStates(ids));                     // (B, T, V)
    }

    /**
     * The final LayerNorm's output {@code (B, T, C)}, which the output head maps to logits: what a reward model's
     * or a value head's scalar reads (Book chapter 8), and what a caller narrows to a few positions before the
     * vocabulary-wide head.
     */
    public Tensor hiddenStates(IntNDArray ids) {
        if (ids.rank() != 2) throw new IllegalArgumentException("GPTModel: ids must be (B, T), got rank " + ids.rank());
        int t = ids.dim(1);
        if (t > config.contextLength()) {
            throw new IllegalArgumentException("GPTModel: " + t + " tokens exceed the context length " + config.contextLength());
        }
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = i;
        Tensor tok = tokEmb.forward(ids);                              // (B, T, C)
        Tensor pos = posEmb.forward(IntNDArray.of(positions, t));      // (T, C)
        Tensor x = dropEmb.forward(tok.add(pos));
        for (TransformerBlock block : trfBlocks) x = block.forward(x);
        return finalNorm.forward(x);
    }

    /** An empty cache for {@code batch} sequences of up to {@code maxTokens} tokens (at most the context length). */
    public KVCache newCache(int batch, int maxTokens) {
        int n = Math.min(maxTokens, config.contextLength());
        TransformerBlock first = trfBlocks.get(0);
        return new KVCache(config.nLayers(), batch, first.att.numHeads(), first.att.headDim(), n);
    }

    /**
     * The logits {@code (B, V)} of the last of the new tokens {@code ids (B, T)}, which follow the tokens already
     * in {@code cache} (positions continue from {@code cache.length()}); their keys and values are added to it.
     * For generation: no graph is recorded, dropout is off.
     */
    public Tensor forwardCached(IntNDArray ids, KVCache cache) {
        int t = ids.dim(1), past = cache.length();
        if (past + t > cache.capacity()) {
            throw new IllegalArgumentException("GPTModel: " + (past + t) + " tokens exceed the cache's " + cache.capacity());
        }
        try (var off = Grad.off()) {
            int[] positions = new int[t];
            for (int i = 0; i < t; i++) positions[i] = past + i;
            Tensor x = tokEmb.forward(ids).add(posEmb.forward(IntNDArray.of(positions, t)));   // (B, T, C)
            for (int l = 0; l < trfBlocks.size(); l++) x = trfBlocks.get(l).forwardCached(x, cache, l);
            cache.advance(t);
            Tensor last = x.narrow(1, t - 1, 1).squeeze(1);                                     // (B, C)
            return outHead.forward(finalNorm.forward(last));                                     // (B, V)
        }
    }

    /** Size in megabytes (MiB) of the float32 parameters: the book's 621.83 MB for the untied 124M model. */
    public double sizeMegabytes() {
        return numParameters() * 4.0 / (1024 * 1024);
    }

}
