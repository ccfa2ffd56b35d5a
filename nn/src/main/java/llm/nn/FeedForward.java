package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.SeededRandom;

/** The transformer's feed-forward network (Book §4.3): Linear(C, 4C), GELU, Linear(4C, C), as {@code layers}. */
public final class FeedForward extends Module implements Layer {
    /** GPT-2 widens the hidden layer four times. */
    public static final int EXPANSION = 4;
    private final Sequential layers;

    public FeedForward(int embDim, SeededRandom rng) {
        this.layers = registerModule("layers", new Sequential(
                new Linear(embDim, EXPANSION * embDim, true, rng),
                new GELU(),
                new Linear(EXPANSION * embDim, embDim, true, rng)));
    }

    /** {@code (B, T, C) -> (B, T, 4C) -> (B, T, C)}. */
    @Override
    public Tensor forward(Tensor x) {
        return layers.forward(x);
    }
}
