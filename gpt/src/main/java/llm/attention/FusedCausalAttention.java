package llm.attention;

import java.util.List;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import llm.autograd.Graph;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import llm.tensor.Shape;
import llm.tensor.Vectorization;

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
 * and it is drawn exactly as {@link llm.autograd.fused.Dropout} draws it, so both versions drop the same weights
 * for the same generator state.
 */
public final class FusedCausalAttention {
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private FusedCausalAttention() {}

    /** Differentiable fused attention over {@code (B, NH, T, HS)} tensors, without dropout. */
    public static Tensor apply(Tensor q, Tensor k, Tensor v) {
        return apply(q, k, v, 0f, null);
    }

    /**
     * Differentiable fused attention over {@code (B, NH, T, HS)} tensors, with dropout of rate {@code dropRate}
     * on the attention weights drawn from {@code rng} (a rate of 0 draws nothing and needs no generator).
     */
    public static Tensor apply(Tensor q, Tensor k, Tensor v, float dropRate, SeededRandom rng) {
        int[] shape = q.shape();
        if (shape.length != 4 || !Shape.same(shape, k.shape()) || !Shape.same(shape, v.shape())) {
            throw new IllegalArgumentException("fusedCausalAttention: q, k, v must share a (B, NH, T, HS) shape, got "
                    + Shape.format(q.shape()) + ", " + Shape.format(k.shape()) + ", " + Shape.format(v.shape()));
        }
        if (dropRate < 0f || dropRate >= 1f) {
            throw new IllegalArgumentException("fusedCausalAttention: dropout rate must be in [0, 1), got " + dropRate);
        }
        int heads = shape[0] * shape[1], t = shape[2], hs = shape[3];
        boolean[] keep = dropRate > 0f ? dropoutMask(heads * t * t, dropRate, rng) : null; // (B*NH, T, T)
        float keepScale = 1f / (1f - dropRate);
        float[] qd = q.data().contiguous().toArray(), kd = k.data().contiguous().toArray(), vd = v.data().contiguous().toArray();
        float[] out = new float[qd.length];
        float[] logSumExp = new float[heads * t]; // saved for backward, (B*NH, T)
        Parallelism.DEFAULT.forEach(heads, h -> forward(qd, kd, vd, keep, keepScale, out, logSumExp, h, t, hs));
        return Graph.record(NDArray.of(out, shape), "fusedCausalAttention", List.of(q, k, v), g -> {
            float[] dout = g.contiguous().toArray();
            float[] dq = new float[qd.length], dk = new float[qd.length], dv = new float[qd.length];
            Parallelism.DEFAULT.forEach(heads, h -> backward(qd, kd, vd, keep, keepScale, out, logSumExp, dout, dq, dk, dv, h, t, hs));
            q.accumulateGrad(NDArray.of(dq, shape));
            k.accumulateGrad(NDArray.of(dk, shape));
            v.accumulateGrad(NDArray.of(dv, shape));
        });
    }

    /**
     * Which of the {@code (B*NH, T, T)} attention weights survive dropout, row-major, the upper triangle included:
     * the same draws, in the same order, as {@link llm.autograd.fused.Dropout} over the step-by-step attention's
     * weights.
     */
    static boolean[] dropoutMask(int weights, float dropRate, SeededRandom rng) {
        boolean[] keep = new boolean[weights];
        for (int i = 0; i < weights; i++) keep[i] = rng.nextFloat() >= dropRate;
        return keep;
    }

    /**
     * One head: for each query i, the online softmax over keys 0..i, accumulating the weighted values of the
     * keys that {@code keep} keeps (all of them when it is null). {@code out_i = keepScale / sum · Σ_kept p_ij V_j}.
     */
    static void forward(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] logSumExp,
                        int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] acc = new float[hs];
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            int maskRow = (head * t + i) * t;
            float max = Float.NEGATIVE_INFINITY, sum = 0f;
            java.util.Arrays.fill(acc, 0f);
            for (int j = 0; j <= i; j++) {
                float s = dot(q, qi, k, base + j * hs, hs) * scale;
                if (s > max) { // rescale what was accumulated under the old maximum
                    float correction = (float) Math.exp(max - s);
                    sum *= correction;
                    scaleInPlace(acc, correction, hs);
                    max = s;
                }
                float p = (float) Math.exp(s - max);
                sum += p;                                              // dropped weights still count in the softmax
                if (keep == null || keep[maskRow + j]) axpy(p, v, base + j * hs, acc, hs);
            }
            float inv = (keep == null ? 1f : keepScale) / sum;
            for (int d = 0; d < hs; d++) out[qi + d] = acc[d] * inv;
            logSumExp[head * t + i] = max + (float) Math.log(sum);
        }
    }

    /**
     * One head's gradients. With {@code p_ij = exp(s_ij - L_i)} recomputed from the saved log-sum-exp, the dropout
     * factor {@code m_ij} ({@code keepScale} or 0; 1 without dropout) and {@code D_i = dO_i · O_i}:
     * {@code dV_j += m_ij p_ij dO_i}, {@code ds_ij = p_ij (m_ij dO_i · V_j - D_i)}, {@code dQ_i += scale ds_ij K_j},
     * {@code dK_j += scale ds_ij Q_i}. ({@code D_i} is {@code Σ_j p_ij m_ij dO_i · V_j}, the softmax's
     * correction term, because {@code O_i} already holds the dropped-out weights.)
     */
    static void backward(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] logSumExp,
                         float[] dout, float[] dq, float[] dk, float[] dv, int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            int maskRow = (head * t + i) * t;
            float lse = logSumExp[head * t + i];
            float di = dot(dout, qi, out, qi, hs);
            for (int j = 0; j <= i; j++) {
                int kj = base + j * hs;
                float p = (float) Math.exp(dot(q, qi, k, kj, hs) * scale - lse);
                float m = keep == null ? 1f : keep[maskRow + j] ? keepScale : 0f;
                float ds;
                if (m != 0f) {
                    axpy(p * m, dout, qi, dv, kj, hs);
                    ds = p * (m * dot(dout, qi, v, kj, hs) - di) * scale;
                } else {
                    ds = -p * di * scale;                              // a dropped weight still moves the softmax
                }
                axpy(ds, k, kj, dq, qi, hs);
                axpy(ds, q, qi, dk, kj, hs);
            }
        }
    }

    private static float dot(float[] x, int xo, float[] y, int yo, int n) {
        if (!Vectorization.ENABLED) {
            float s = 0f;
            for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
            return s;
        }
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            acc = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc);
        }
        float s = Vectorization.sumLanes(acc);
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** {@code y[0..n) += a · x[xo..xo+n)} */
    private static void axpy(float a, float[] x, int xo, float[] y, int n) {
        axpy(a, x, xo, y, 0, n);
    }

    /** {@code y[yo..yo+n) += a · x[xo..xo+n)} */
    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (Vectorization.ENABLED) {
            FloatVector va = FloatVector.broadcast(F, a);
            for (int end = F.loopBound(n); i < end; i += F.length()) {
                FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    private static void scaleInPlace(float[] y, float a, int n) {
        for (int i = 0; i < n; i++) y[i] *= a;
    }
}
