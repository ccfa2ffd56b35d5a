package llm.gpt;

import llm.attention.MultiHeadAttention;
import llm.autograd.Tensor;
import llm.nn.Dropout;
import llm.nn.FeedForward;
import llm.nn.Layer;
import llm.nn.LayerNorm;
import llm.nn.Module;
import llm.tensor.SeededRandom;

/**
 * One transformer block of GPT-2 (Book §4.5): pre-LayerNorm, multi-head attention, dropout, a residual
 * shortcut; then pre-LayerNorm, feed-forward, dropout, another shortcut. {@code (B, T, C) -> (B, T, C)}.
 */
public final class TransformerBlock extends Module implements Layer {
    final MultiHeadAttention att;
    final FeedForward ff;
    final LayerNorm norm1, norm2;
    final Dropout dropShortcut;

    public TransformerBlock(GPTConfig cfg, SeededRandom rng) {
        att = registerModule("att", new MultiHeadAttention(cfg.embDim(), cfg.embDim(), cfg.contextLength(), cfg.dropRate(), cfg.nHeads(), cfg.qkvBias(), rng));
        ff = registerModule("ff", new FeedForward(cfg.embDim(), rng));
        norm1 = registerModule("norm1", new LayerNorm(cfg.embDim()));
        norm2 = registerModule("norm2", new LayerNorm(cfg.embDim()));
        dropShortcut = registerModule("drop_shortcut", new Dropout(cfg.dropRate(), rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor shortcut = x;
        x = dropShortcut.forward(att.forward(norm1.forward(x)));
        x = x.add(shortcut);
        shortcut = x;
        x = dropShortcut.forward(ff.forward(norm2.forward(x)));
        return x.add(shortcut);
    }

    /** {@link #forward} for new tokens after those in {@code cache} (generation, evaluation mode). */
    Tensor forwardCached(Tensor x, llm.attention.KVCache cache, int layer) {
        x = att.forwardCached(norm1.forward(x), cache, layer).add(x);
        return ff.forward(norm2.forward(x)).add(x);
    }
}
