package llm.attention;

import java.util.ArrayList;
import java.util.List;

import llm.autograd.Tensor;
import llm.nn.Layer;
import llm.nn.Module;
import llm.tensor.SeededRandom;

/**
 * Several {@link CausalAttention} heads side by side, their outputs concatenated (Book §3.6.1,
 * {@code MultiHeadAttentionWrapper}): {@code (B, T, d_in) -> (B, T, heads · d_out)}.
 */
public final class MultiHeadAttentionWrapper extends Module implements Layer {
    final List<CausalAttention> heads = new ArrayList<>();

    public MultiHeadAttentionWrapper(int dIn, int dOut, int contextLength, float dropRate, int numHeads, boolean qkvBias, SeededRandom rng) {
        Module list = registerModule("heads", new HeadList());
        for (int h = 0; h < numHeads; h++) {
            CausalAttention head = new CausalAttention(dIn, dOut, contextLength, dropRate, qkvBias, rng);
            ((HeadList) list).add(String.valueOf(h), head);
            heads.add(head);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> outs = new ArrayList<>();
        for (CausalAttention head : heads) outs.add(head.forward(x));
        return Tensor.concat(outs, -1);
    }

    /** The heads under names "0", "1", ... as PyTorch's {@code nn.ModuleList} names them. */
    private static final class HeadList extends Module {
        void add(String name, Module m) {
            registerModule(name, m);
        }
    }
}
