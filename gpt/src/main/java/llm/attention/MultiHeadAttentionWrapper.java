package llm.attention;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Tensor;
import llm.nn.Layer;
import llm.nn.Module;
import llm.nn.ModuleList;
import llm.tensor.SeededRandom;

/**
 * Several {@link CausalAttention} heads side by side, their outputs concatenated (Book §3.6.1,
 * {@code MultiHeadAttentionWrapper}): {@code (B, T, d_in) -> (B, T, heads · d_out)}.
 */
public final class MultiHeadAttentionWrapper extends Module implements Layer {
    final ModuleList<CausalAttention> heads;

    public MultiHeadAttentionWrapper(int dIn, int dOut, int contextLength, float dropRate, int numHeads, boolean qkvBias, SeededRandom rng) {
        heads = registerModule("heads", new ModuleList<>());
        for (int h = 0; h < numHeads; h++) heads.add(new CausalAttention(dIn, dOut, contextLength, dropRate, qkvBias, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> outs = new ArrayList<>();
        for (CausalAttention head : heads) outs.add(head.forward(x));
        return Tensor.concat(outs, -1);
    }
}
