package llm.tensor;

import java.util.Arrays;

/**
 * Causal attention {@code softmax(Q·Kᵀ/sqrt(HS) + mask)·V} (Book §3.5) over one head's rows, as llm.c's {@code
 * attention_forward}/{@code attention_backward}: plain arrays, sizes passed in, shapes {@code q, k, v, out (BH,
 * T, HS)} with BH = B·NH heads laid one after another.
 *
 * <p>Three versions with the same contract:
 * <ul>
 * <li>{@link #forwardReference}/{@link #backwardReference}: the textbook order of operations for one query row:
 * all scores, the softmax, then the weighted sum of values (a row of {@code T} scores is held at a time);</li>
 * <li>{@link #forward}/{@link #backward}: one pass per query with an online softmax (Milakov and Gimelshein,
 * "Online normalizer calculation for softmax", 2018; the idea behind FlashAttention): the running maximum and
 * sum are updated key by key, so no row of scores is stored. The forward saves one number per query, the log
 * of its softmax denominator ({@code lse (BH, T)}), and the backward recomputes the probabilities from it. Dot
 * products and row updates are {@link DotKernels}' (Vector API unless {@code -Dllm.scalar=true}).</li>
 * <li>{@link #forwardBlocked}/{@link #backwardBlocked}: the same saved log-sum-exp, a tile of query rows at a time,
 * every product through {@link Gemm}'s micro-kernel instead of one dot product per (query, key). What
 * {@link #forwardAll}/{@link #backwardAll}, and so training, run.</li>
 * </ul>
 *
 * <p>Dropout on the attention weights (Book §3.5.2), when {@code keep} is not null: a weight that is dropped
 * adds nothing to its query's output, the kept ones are scaled by {@code keepScale = 1 / (1 - rate)}, and the
 * softmax still counts every weight. {@code keep (BH, T, T)} holds one flag per weight, row-major, the upper
 * triangle included, drawn by {@link DropoutKernels#keep} in the order the step-by-step attention's dropout over the
 * full weight matrix draws them.
 */
public final class AttentionKernels {
    private AttentionKernels() {}

    /** {@link #forwardBlocked} for every head, heads in parallel (each head's products on one thread). */
    public static void forwardAll(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                  int heads, int t, int hs, Parallelism par) {
        par.forEach(heads, h -> forwardBlocked(q, k, v, keep, keepScale, out, lse, h, t, hs));
    }

    /** {@link #backwardBlocked} for every head, heads in parallel ({@code dq, dk, dv} zeroed by the caller). */
    public static void backwardAll(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                   float[] dout, float[] dq, float[] dk, float[] dv, int heads, int t, int hs, Parallelism par) {
        par.forEach(heads, h -> backwardBlocked(q, k, v, keep, keepScale, out, lse, dout, dq, dk, dv, h, t, hs));
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

    // ---- Blocked: the products as matrix products (FlashAttention's tiles, with the GEMM's micro-kernel) ----

    /** Query rows per tile: a tile's scores {@code (ROWS, keys)} are one matrix product with the keys it can see. */
    static final int ROWS = 64;

    /** Two {@code (ROWS, T)} scratch tiles per thread (scores and their gradients), grown on demand. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(int n) {
        float[] s = SCRATCH.get();
        if (s.length < n) {
            s = new float[n];
            SCRATCH.set(s);
        }
        return s;
    }

    /**
     * One head, the same contract as {@link #forward}, computed a tile of {@value #ROWS} query rows at a time as
     * matrix products: the scores {@code S = Q_tile·K[0..last]ᵀ} (keys past the tile's last row are never needed:
     * causal), each row's softmax with its dropout factors written into {@code S}, then {@code O_tile = P·V}. The
     * dot products of the online version ({@link #forward}) cost a horizontal sum each (64 numbers at a time for
     * GPT-2's heads); here they become the GEMM's fused multiply-adds. Rows of {@code S} beyond the diagonal are set
     * to 0 so the product with {@code V} ignores them.
     */
    public static void forwardBlocked(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                      int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] s = scratch(ROWS * t);
        for (int i0 = 0; i0 < t; i0 += ROWS) {
            int rows = Math.min(ROWS, t - i0), keys = i0 + rows;      // this tile sees keys 0 .. i0 + rows - 1
            // S (rows, keys) = Q[i0..] (rows, hs) · K (keys, hs)ᵀ, leading dimension `keys`
            Gemm.gemm(rows, keys, hs, q, base + i0 * hs, hs, 1, k, base, 1, hs, s, 0, keys, false, Parallelism.SINGLE);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r, row = r * keys, maskRow = (head * t + i) * t;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) max = Math.max(max, s[row + j] * scale);
                float sum = 0f;
                for (int j = 0; j <= i; j++) {
                    float p = (float) Math.exp(s[row + j] * scale - max);
                    s[row + j] = p;
                    sum += p;                                          // dropped weights still count in the softmax
                }
                float inv = 1f / sum;
                for (int j = 0; j <= i; j++) s[row + j] *= inv * factor(keep, keepScale, maskRow + j);
                Arrays.fill(s, row + i + 1, row + keys, 0f);
                lse[head * t + i] = max + (float) Math.log(sum);
            }
            // O[i0..] (rows, hs) = P (rows, keys) · V (keys, hs)
            Gemm.gemm(rows, hs, keys, s, 0, keys, 1, v, base, hs, 1, out, base + i0 * hs, hs, false, Parallelism.SINGLE);
        }
    }

    /**
     * One head's gradients, the same contract as {@link #backward}, a tile of query rows at a time: the scores
     * again ({@code S = Q_tile·Kᵀ}, the probabilities {@code p = exp(s·scale - L)}), {@code dP = dO_tile·Vᵀ}, then
     * per weight {@code ds = p (m·dp - D_i)·scale} and {@code m·p}, and four products add to the gradients:
     * {@code dV += (m·P)ᵀ·dO_tile}, {@code dQ_tile += dS·K}, {@code dK += dSᵀ·Q_tile}.
     */
    public static void backwardBlocked(float[] q, float[] k, float[] v, boolean[] keep, float keepScale, float[] out, float[] lse,
                                       float[] dout, float[] dq, float[] dk, float[] dv, int head, int t, int hs) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        int base = head * t * hs;
        float[] s = scratch(2 * ROWS * t);
        int dpAt = ROWS * t;                                           // dP, then dS, in the second half
        for (int i0 = 0; i0 < t; i0 += ROWS) {
            int rows = Math.min(ROWS, t - i0), keys = i0 + rows;
            Gemm.gemm(rows, keys, hs, q, base + i0 * hs, hs, 1, k, base, 1, hs, s, 0, keys, false, Parallelism.SINGLE);
            Gemm.gemm(rows, keys, hs, dout, base + i0 * hs, hs, 1, v, base, 1, hs, s, dpAt, keys, false, Parallelism.SINGLE);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r, row = r * keys, qi = base + i * hs, maskRow = (head * t + i) * t;
                float li = lse[head * t + i];
                float di = DotKernels.dot(dout, qi, out, qi, hs);
                for (int j = 0; j <= i; j++) {
                    float p = (float) Math.exp(s[row + j] * scale - li);
                    float m = factor(keep, keepScale, maskRow + j);
                    s[dpAt + row + j] = p * (m * s[dpAt + row + j] - di) * scale;   // ds
                    s[row + j] = m * p;                                              // the weight dO_i reaches V_j with
                }
                Arrays.fill(s, row + i + 1, row + keys, 0f);
                Arrays.fill(s, dpAt + row + i + 1, dpAt + row + keys, 0f);
            }
            // dV (keys, hs) += (m·P)ᵀ (keys, rows) · dO[i0..] (rows, hs)
            Gemm.gemm(keys, hs, rows, s, 0, 1, keys, dout, base + i0 * hs, hs, 1, dv, base, hs, true, Parallelism.SINGLE);
            // dQ[i0..] (rows, hs) += dS (rows, keys) · K (keys, hs)
            Gemm.gemm(rows, hs, keys, s, dpAt, keys, 1, k, base, hs, 1, dq, base + i0 * hs, hs, true, Parallelism.SINGLE);
            // dK (keys, hs) += dSᵀ (keys, rows) · Q[i0..] (rows, hs)
            Gemm.gemm(keys, hs, rows, s, dpAt, 1, keys, q, base + i0 * hs, hs, 1, dk, base, hs, true, Parallelism.SINGLE);
        }
    }
}
