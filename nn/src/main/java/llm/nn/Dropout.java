package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.SeededRandom;

/** Inverted dropout in training mode, the identity in evaluation mode (Book §3.5.2). */
public final class Dropout extends Module implements Layer {
    private final float rate;
    private final SeededRandom rng;

    public Dropout(float rate, SeededRandom rng) {
        if (rate < 0 || rate >= 1) throw new IllegalArgumentException("Dropout: rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        return llm.autograd.fused.FusedDropout.apply(x, rate, isTraining(), rng);
    }
}
