package llm.nn;

import llm.autograd.Tensor;

/** The GELU activation with GPT-2's tanh approximation (Book §4.3); no parameters. */
public final class GELU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return llm.autograd.fused.FusedGELU.apply(x);
    }
}
