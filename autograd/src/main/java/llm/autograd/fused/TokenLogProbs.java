package llm.autograd.fused;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.Shape;
import llm.tensor.TokenLogProbKernels;

/**
 * The log-probability of each row's token under the softmax of its logits, {@code log_softmax(logits)[token]}, as
 * RLHF (Book chapter 8) and DPO read it for every response token, with the rows' entropies beside it (for logging;
 * they carry no gradient).
 *
 * <p>Fused ({@link TokenLogProbKernels}): the backward is {@code g · (onehot - softmax)} from the saved softmax,
 * without the {@code (N, V)} log-softmax matrix. {@link #composed} builds the same values from {@code logSoftmax}
 * and {@code gather}; the tests check one against the other.
 */
public final class TokenLogProbs {
    /** Log-probabilities {@code (N)} with gradients, and entropies {@code (N)} as plain values. */
    public record Result(Tensor logProbs, NDArray entropy) {}

    private TokenLogProbs() {}

    /** Logits {@code (N, V)} and token ids {@code (N)}. */
    public static Result apply(Tensor logits, IntNDArray tokens) {
        return apply(logits, tokens, Parallelism.DEFAULT);
    }

    public static Result apply(Tensor logits, IntNDArray tokens, Parallelism par) {
        if (logits.rank() != 2 || tokens.numel() != logits.dim(0)) {
            throw new IllegalArgumentException("tokenLogProbs: logits must be (N, V) with N token ids, got logits "
                    + Shape.format(logits.shape()) + " and ids " + Shape.format(tokens.shape()));
        }
        int n = logits.dim(0), v = logits.dim(1);
        NDArray x = logits.data().contiguous();
        int[] t = tokens.storage();
        float[] probs = new float[n * v], logProbs = new float[n], entropy = new float[n];
        TokenLogProbKernels.forward(x.storage(), x.offset(), t, probs, logProbs, entropy, n, v, par);
        boolean[] used = {false};
        Tensor out = Graph.record(NDArray.of(logProbs, n), "tokenLogProbs", List.of(logits), g -> {
            // the saved softmax becomes the gradient in place, so the graph can be walked backward once
            if (used[0]) throw new IllegalStateException("tokenLogProbs: backward through the same values twice");
            used[0] = true;
            TokenLogProbKernels.backward(probs, t, g.contiguous().toArray(), n, v, par);
            logits.accumulateFreshGrad(NDArray.of(probs, n, v));
        });
        return new Result(out, NDArray.of(entropy, n));
    }

    /** The same log-probabilities from primitives: {@code logSoftmax(logits, 1).gather(1, tokens)}. */
    public static Tensor composed(Tensor logits, IntNDArray tokens) {
        int n = logits.dim(0);
        return logits.logSoftmax(1).gather(1, tokens.view(n, 1)).reshape(n);
    }
}
