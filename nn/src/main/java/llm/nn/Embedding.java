package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** A lookup table of {@code count} vectors of size {@code dim}, initialised N(0, 1) as in the book (§2.7). */
public final class Embedding extends Module {
    public final Tensor weight; // (count, dim)

    public Embedding(int count, int dim, SeededRandom rng) {
        this.weight = registerParameter("weight", Tensor.parameter(NDArray.randn(rng, count, dim)));
    }

    /** Ids {@code (S...)} to vectors {@code (S..., dim)}. */
    public Tensor forward(IntNDArray ids) {
        return Tensor.embedding(weight, ids);
    }
}
