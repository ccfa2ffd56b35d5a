package llm.attention;

import java.util.List;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.AttentionKernels;
import llm.tensor.DropoutKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import llm.tensor.Shape;

/**
 * Causal attention {@code softmax(Q·Kᵀ/sqrt(HS) + mask)·V} in one pass per query, with an online softmax
 * (Milakov and Gimelshein, "Online normalizer calculation for softmax", 2018; the idea behind FlashAttention):
 * the running maximum and sum are updated key by key, so the {@code T × T} matrix of scores is never stored.
 * The forward saves one number per query, the log of its softmax denominator, and the backward recomputes the
 * probabilities from it (llm.c style: {@code forward}/{@code backward} over explicit arrays).
 *
 * <p>Shapes: q, k, v and the output {@code (B, NH, T, HS)}. Heads are independent and run in parallel.
 *
 * <p>Dropout on the attention weights (Book §3.5.2), when asked for, is folded in: a weight that is dropped adds
 * nothing to its query's output, and the kept ones are scaled by {@code 1 / (1 - rate)}. The mask costs one byte
 * per weight instead of the three float {@code (B, NH, T, T)} tensors the step-by-step attention keeps for its
 * backward pass (softmax, dropout mask, dropped weights: about 38 MB per layer of GPT-2 124M at 4 × 256),
 * and it is drawn exactly as {@link llm.autograd.fused.FusedDropout} draws it, so both versions drop the same weights
 * for the same generator state.
 */
public final class FusedCausalAttention {
    private FusedCausalAttention() {}

    /** Differentiable fused attention over {@code (B, NH, T, HS)} tensors, without dropout. */
    public static Tensor apply(Tensor q, Tensor k, Tensor v) {
        return apply(q, k, v, 0f, null, Parallelism.DEFAULT);
    }

    /**
     * Differentiable fused attention over {@code (B, NH, T, HS)} tensors, with dropout of rate {@code dropRate}
     * on the attention weights drawn from {@code rng} (a rate of 0 draws nothing and needs no generator), heads on
     * the default threads.
     */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, float dropRate, SeededRandom rng) {
        return apply(q, k, v, dropRate, rng, Parallelism.DEFAULT);
    }

    /** The same with heads on the threads of {@code par}. */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, float dropRate, SeededRandom rng, Parallelism par) {
        int[] shape = q.shape();
        if (shape.length != 4 || !Shape.same(shape, k.shape()) || !Shape.same(shape, v.shape())) {
            throw new IllegalArgumentException("fusedCausalAttention: q, k, v must share a (B, NH, T, HS) shape, got "
                    + Shape.format(q.shape()) + ", " + Shape.format(k.shape()) + ", " + Shape.format(v.shape()));
        }
        if (dropRate < 0f || dropRate >= 1f) {
            throw new IllegalArgumentException("fusedCausalAttention: dropout rate must be in [0, 1), got " + dropRate);
        }
        int heads = shape[0] * shape[1], t = shape[2], hs = shape[3];
        boolean[] keep = dropRate > 0f ? DropoutKernels.keep(heads * t * t, dropRate, rng, par) : null; // (B*NH, T, T)
        float keepScale = 1f / (1f - dropRate);
        float[] qd = q.data().contiguous().toArray(), kd = k.data().contiguous().toArray(), vd = v.data().contiguous().toArray();
        float[] out = new float[qd.length];
        float[] logSumExp = new float[heads * t]; // saved for backward, (B*NH, T)
        AttentionKernels.forwardAll(qd, kd, vd, keep, keepScale, out, logSumExp, heads, t, hs, par);
        return Graph.record(NDArray.of(out, shape), "fusedCausalAttention", List.of(q, k, v), g -> {
            float[] dout = g.contiguous().toArray();
            float[] dq = new float[qd.length], dk = new float[qd.length], dv = new float[qd.length];
            AttentionKernels.backwardAll(qd, kd, vd, keep, keepScale, out, logSumExp, dout, dq, dk, dv, heads, t, hs, par);
            q.accumulateFreshGrad(NDArray.of(dq, shape));
            k.accumulateFreshGrad(NDArray.of(dk, shape));
            v.accumulateFreshGrad(NDArray.of(dv, shape));
        });
    }
}
