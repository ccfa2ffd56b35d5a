package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.DropoutKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;

/**
 * Inverted dropout (Book §3.5.2): in training, each element is zeroed with probability {@code p} and the
 * survivors are scaled by {@code 1/(1-p)}, so the expected value is unchanged and evaluation needs no
 * rescaling. The mask comes from the generator passed in, so a seed reproduces it ({@link DropoutKernels}).
 */
public final class FusedDropout {
    private FusedDropout() {}

    public static Tensor apply(Tensor x, float p, boolean training, SeededRandom rng) {
        if (p < 0f || p >= 1f) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        NDArray m = NDArray.of(DropoutKernels.scaledMask(x.numel(), p, rng, Parallelism.DEFAULT), x.shape());
        return Graph.record(x.data().mul(m), "dropout", List.of(x), g -> x.accumulateFreshGrad(g.mul(m)));
    }
}
