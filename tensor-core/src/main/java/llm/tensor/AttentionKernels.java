package llm.tensor;

import java.util.Arrays;

/**
 * Causal attention {@code softmax(Q·Kᵀ/sqrt(HS) + mask)·V} (Book §3.5) over one head's rows, as llm.c's {@code
 * attention_forward}/{@code attention_backward}: plain arrays, sizes passed in, shapes {@code q, k, v, out (BH,
 * T, HS)} with BH = B·NH heads laid one after another.
 *
 * <p>Two versions with the same contract:
 * <ul>
 * <li>{@link #forwardReference}/{@link #backwardReference}: the textbook order of operations for one query row:
 * all scores, the softmax, then the weighted sum of values (a row of {@code T} scores is held at a time);</li>
 * <li>{@link #forward}/{@link #backward}: one pass per query with an online softmax (Milakov and Gimelshein,
 * "Online normalizer calculation for softmax", 2018; the idea behind FlashAttention): the running maximum and
 * sum are updated key by key, so no row of scores is stored. The forward saves one number per query, the log
 * of its softmax denominator ({@code lse (BH, T)}), and the backward recomputes the probabilities from it. Dot
 * products and row updates are {@link DotKernels}' (Vector API unless {@code -Dllm.scalar=true}).</li>
 * </ul>
 *
 * <p>Dropout on the attention weights (Book §3.5.2), when {@code keep} is not null: a weight that is dropped
 * adds nothing to its query's output, the kept ones are scaled by {@code keepScale = 1 / (1 - rate)}, and the
 * softmax still counts every weight. {@code keep (BH, T, T)} holds one flag per weight, drawn by {@link
 * #dropoutMask} in the order the step-by-step attention's dropout draws them.
 */
public final class AttentionKernels {
    private AttentionKernels() {}

    /**
     * Which of the {@code (BH, T, T)} attention weights survive dropout, row-major, the upper triangle included
     * (so that the draws are the same, in the same order, as dropout over the full weight matrix).
     */
    public static boolean[] dropoutMask(int weights, float dropRate, SeededRandom rng) {
        boolean[] keep = new boolean[weights];
        for (int i = 0; i < weights; i++) keep[i] = rng.nextFloat() >= dropRate;
        return keep;
    }

    /** {@link #forward} for every head, heads in parallel. */
    public static void forwardAll(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                  int heads, int t, int hs, Parallelism par) {
        par.forEach(heads, h -> forward(q, k, v, keep, keepScale, out, lse, h, t, hs));
    }

    /** {@link #backward} for every head, heads in parallel ({@code dq, dk, dv} zeroed by the caller). */
    public static void backwardAll(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                   float[] dout, float[] dq, float[] dk, float[] dv, int heads, int t, int hs, Parallelism par) {
        par.forEach(heads, h -> backward(q, k, v, keep, keepScale, out, lse, dout, dq, dk, dv, h, t, hs));
    }

    /** Reference forward of one head: scores, softmax, weighted sum, one query row at a time. */
    public static void forwardReference(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                        int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] p = new float[t];
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {                         // causal: keys 0..i only
                float s = 0f;
                for (int d = 0; d < hs; d++) s += q[qi + d] * k[base + j * hs + d];
                p[j] = s * scale;
                max = Math.max(max, p[j]);
            }
            float sum = 0f;
            for (int j = 0; j <= i; j++) {
                p[j] = (float) Math.exp(p[j] - max);
                sum += p[j];
            }
            Arrays.fill(out, qi, qi + hs, 0f);
            for (int j = 0; j <= i; j++) {
                float w = p[j] / sum * factor(keep, keepScale, (head * t + i) * t + j);
                for (int d = 0; d < hs; d++) out[qi + d] += w * v[base + j * hs + d];
            }
            lse[head * t + i] = max + (float) Math.log(sum);
        }
    }

    /**
     * Reference backward of one head, llm.c's order: with {@code p_ij} the softmax weights, {@code m_ij} the
     * dropout factor and {@code datt_ij = m_ij dO_i · V_j}: {@code dV_j += p_ij m_ij dO_i}, {@code dpreatt_ij =
     * p_ij (datt_ij - Σ_k p_ik datt_ik)}, {@code dQ_i += scale dpreatt_ij K_j}, {@code dK_j += scale dpreatt_ij
     * Q_i}. Uses {@code lse} from the forward to get {@code p_ij}.
     */
    public static void backwardReference(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] lse, float[] dout,
                                         float[] dq, float[] dk, float[] dv, int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] p = new float[t], datt = new float[t];
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            float correction = 0f;
            for (int j = 0; j <= i; j++) {
                int kj = base + j * hs;
                float s = 0f, dv_ = 0f;
                for (int d = 0; d < hs; d++) {
                    s += q[qi + d] * k[kj + d];
                    dv_ += dout[qi + d] * v[kj + d];
                }
                p[j] = (float) Math.exp(s * scale - lse[head * t + i]);
                datt[j] = factor(keep, keepScale, (head * t + i) * t + j) * dv_;
                correction += p[j] * datt[j];
            }
            for (int j = 0; j <= i; j++) {
                int kj = base + j * hs;
                float m = factor(keep, keepScale, (head * t + i) * t + j);
                float ds = p[j] * (datt[j] - correction) * scale;
                for (int d = 0; d < hs; d++) {
                    dv[kj + d] += p[j] * m * dout[qi + d];
                    dq[qi + d] += ds * k[kj + d];
                    dk[kj + d] += ds * q[qi + d];
                }
            }
        }
    }

    private static float factor(boolean[] keep, float keepScale, int at) {
        return keep == null ? 1f : keep[at] ? keepScale : 0f;
    }

    /**
     * One head with the online softmax: for each query i, the running maximum and sum over keys 0..i, and the
     * weighted values of the kept keys; {@code out_i = keepScale / sum · Σ_kept p_ij V_j}.
     */
    public static void forward(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                               int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] acc = new float[hs];
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            int maskRow = (head * t + i) * t;
            float max = Float.NEGATIVE_INFINITY, sum = 0f;
            Arrays.fill(acc, 0f);
            for (int j = 0; j <= i; j++) {
                float s = DotKernels.dot(q, qi, k, base + j * hs, hs) * scale;
                if (s > max) { // rescale what was accumulated under the old maximum
                    float correction = (float) Math.exp(max - s);
                    sum *= correction;
                    for (int d = 0; d < hs; d++) acc[d] *= correction;
                    max = s;
                }
                float p = (float) Math.exp(s - max);
                sum += p;                                              // dropped weights still count in the softmax
                if (keep == null || keep[maskRow + j]) DotKernels.axpy(p, v, base + j * hs, acc, 0, hs);
            }
            float inv = (keep == null ? 1f : keepScale) / sum;
            for (int d = 0; d < hs; d++) out[qi + d] = acc[d] * inv;
            lse[head * t + i] = max + (float) Math.log(sum);
        }
    }

    /**
     * One head's gradients from the saved log-sum-exp. With {@code p_ij = exp(s_ij - L_i)}, the dropout factor
     * {@code m_ij} and {@code D_i = dO_i · O_i}: {@code dV_j += m_ij p_ij dO_i}, {@code ds_ij = p_ij (m_ij dO_i ·
     * V_j - D_i)}, {@code dQ_i += scale ds_ij K_j}, {@code dK_j += scale ds_ij Q_i}. ({@code D_i} is the
     * reference's {@code Σ_k p_ik datt_ik}, because {@code O_i} already holds the dropped-out weights.)
     */
    public static void backward(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                float[] dout, float[] dq, float[] dk, float[] dv, int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        for (int i = 0; i < t; i++) {
            int qi = base + i * hs;
            int maskRow = (head * t + i) * t;
            float li = lse[head * t + i];
            float di = DotKernels.dot(dout, qi, out, qi, hs);
            for (int j = 0; j <= i; j++) {
                int kj = base + j * hs;
                float p = (float) Math.exp(DotKernels.dot(q, qi, k, kj, hs) * scale - li);
                float m = keep == null ? 1f : keep[maskRow + j] ? keepScale : 0f;
                float ds;
                if (m != 0f) {
                    DotKernels.axpy(p * m, dout, qi, dv, kj, hs);
                    ds = p * (m * DotKernels.dot(dout, qi, v, kj, hs) - di) * scale;
                } else {
                    ds = -p * di * scale;                              // a dropped weight still moves the softmax
                }
                DotKernels.axpy(ds, k, kj, dq, qi, hs);
                DotKernels.axpy(ds, q, qi, dk, kj, hs);
            }
        }
    }
}
