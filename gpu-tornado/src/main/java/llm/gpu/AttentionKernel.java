package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * Causal self-attention with dropout on its weights (Book §3.5; CPU references {@code AttentionKernels.forwardReference}
 * and {@code backwardReference}). The forward takes one thread per query row of each head: the scores of keys
 * {@code 0..i}, their softmax, the weighted sum of values, and the log-sum-exp kept for the backward. The backward
 * runs in three kernels so that no two threads add to the same number: per query row the scaled score gradients
 * {@code ds_ij = p_ij (m_ij dO_i·V_j - Σ_k p_ik m_ik dO_i·V_k) · scale} and the dropped weights {@code p_ij m_ij} into
 * {@code (heads, T, T)} buffers; per query row {@code dQ_i = Σ_j ds_ij K_j}; per key row {@code dK_j = Σ_i ds_ij Q_i}
 * and {@code dV_j = Σ_i p_ij m_ij dO_i}, each sum in the reference's order. Lay-out {@code (heads, T, hs)} with the
 * batch folded into the heads. Every operand lives in one array {@code a} (the training step's activations) at its own
 * offset, as llm.c lays activations out (the backward's seven operands as separate arrays, each with its offset, would
 * pass TornadoVM's limit of 15 arguments a task).
 *
 * <p>The dropout factor {@code m_ij} of weight {@code (row, j)} is element {@code row·T + j} of the mask drawn from
 * {@code starts[which]} ({@link ElementwiseKernels#dropFactor}): the CPU's {@code (B·NH, T, T)} mask. A rate of 0 makes
 * every factor 1. The scores are computed three times (for the maximum, the sum, the output) instead of kept, as a
 * thread has no array of its own; llm.c's later kernels keep them in shared memory.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    /** Output rows at {@code out} and the log-sum-exp of each query row's scores at {@code lse}. */
    public static void forward(FloatArray a, int q, int k, int v, int out, int lse, int heads, int t, int hs, float scale,
                               LongArray starts, int which, FloatArray rate) {
        for (@Parallel int row = 0; row < heads * t; row++) {
            int head = row / t, i = row - head * t;
            int base = head * t * hs, qi = base + i * hs;
            float max = -3.0e38f;
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(q + qi + d) * a.get(k + base + j * hs + d);
                max = TornadoMath.max(max, s * scale);
            }
            float sum = 0f;
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(q + qi + d) * a.get(k + base + j * hs + d);
                sum += TornadoMath.exp(s * scale - max);
            }
            for (int d = 0; d < hs; d++) a.set(out + qi + d, 0f);
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(q + qi + d) * a.get(k + base + j * hs + d);
                float w = TornadoMath.exp(s * scale - max) / sum * ElementwiseKernels.dropFactor(starts, which, rate, (long) row * t + j);
                for (int d = 0; d < hs; d++) a.set(out + qi + d, a.get(out + qi + d) + w * a.get(v + base + j * hs + d));
            }
            a.set(lse + row, max + TornadoMath.log(sum));
        }
    }

    /**
     * Backward, step 1, one thread per query row, for keys {@code j <= i}: the dropped weights {@code p_ij m_ij} into
     * {@code p (heads, T, T)} (what {@code dV} needs) and {@code ds (heads, T, T)}, with {@code dO_i·V_j} scaled by
     * {@code m_ij} as {@code AttentionKernels.backwardReference} does.
     */
    public static void backwardScores(FloatArray a, int q, int k, int v, int lse, int dout, int p, int ds, int heads, int t, int hs, float scale,
                                      LongArray starts, int which, FloatArray rate) {
        for (@Parallel int row = 0; row < heads * t; row++) {
            int head = row / t, i = row - head * t;
            int base = head * t * hs, qi = base + i * hs, pr = row * t;
            float correction = 0f;
            for (int j = 0; j <= i; j++) {
                float s = 0f, dv = 0f;
                for (int d = 0; d < hs; d++) {
                    s += a.get(q + qi + d) * a.get(k + base + j * hs + d);
                    dv += a.get(dout + qi + d) * a.get(v + base + j * hs + d);
                }
                float pj = TornadoMath.exp(s * scale - a.get(lse + row));
                float datt = ElementwiseKernels.dropFactor(starts, which, rate, (long) row * t + j) * dv;
                a.set(p + pr + j, pj);
                a.set(ds + pr + j, datt);                        // m_ij dO_i·V_j for now
                correction += pj * datt;
            }
            for (int j = 0; j <= i; j++) {
                float pj = a.get(p + pr + j);
                a.set(ds + pr + j, pj * (a.get(ds + pr + j) - correction) * scale);
                a.set(p + pr + j, pj * ElementwiseKernels.dropFactor(starts, which, rate, (long) row * t + j));
            }
        }
    }

    /** Backward, step 2, one thread per query row: {@code dQ_i = Σ_{j<=i} ds_ij K_j}. */
    public static void backwardQuery(FloatArray a, int k, int ds, int dq, int heads, int t, int hs) {
        for (@Parallel int row = 0; row < heads * t; row++) {
            int head = row / t, i = row - head * t;
            int base = head * t * hs, qi = base + i * hs, pr = row * t;
            for (int d = 0; d < hs; d++) {
                float acc = 0f;
                for (int j = 0; j <= i; j++) acc += a.get(ds + pr + j) * a.get(k + base + j * hs + d);
                a.set(dq + qi + d, acc);
            }
        }
    }

    /** Backward, step 3, one thread per key row: {@code dK_j = Σ_{i>=j} ds_ij Q_i}, {@code dV_j = Σ_{i>=j} p_ij m_ij dO_i}. */
    public static void backwardKeyValue(FloatArray a, int q, int dout, int p, int ds, int dk, int dv, int heads, int t, int hs) {
        for (@Parallel int row = 0; row < heads * t; row++) {
            int head = row / t, j = row - head * t;
            int base = head * t * hs, kj = base + j * hs;
            for (int d = 0; d < hs; d++) {
                float accK = 0f, accV = 0f;
                for (int i = j; i < t; i++) {
                    int pr = (head * t + i) * t + j;
                    accK += a.get(ds + pr) * a.get(q + base + i * hs + d);
                    accV += a.get(p + pr) * a.get(dout + base + i * hs + d);
                }
                a.set(dk + kj + d, accK);
                a.set(dv + kj + d, accV);
            }
        }
    }
}
