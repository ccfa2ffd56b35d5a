package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Causal self-attention's forward pass without dropout (Book §3.5; CPU reference
 * {@code AttentionKernels.forwardReference}), one thread per query row of each head: the scores of keys {@code 0..i},
 * their softmax, the weighted sum of values, and the log-sum-exp kept for the backward. Lay-out {@code (heads, T, hs)}
 * with the batch folded into the heads. The scores are computed three times (for the maximum, the sum, the output)
 * instead of kept, as a thread has no array of its own; llm.c's later kernels keep them in shared memory.
 */
public final class AttentionKernel {
    private AttentionKernel() {}

    public static void forward(FloatArray q, FloatArray k, FloatArray v, FloatArray out, FloatArray lse, int heads, int t, int hs, float scale) {
        for (@Parallel int row = 0; row < heads * t; row++) {
            int head = row / t, i = row - head * t;
            int base = head * t * hs, qi = base + i * hs;
            float max = -3.0e38f;
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += q.get(qi + d) * k.get(base + j * hs + d);
                max = TornadoMath.max(max, s * scale);
            }
            float sum = 0f;
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += q.get(qi + d) * k.get(base + j * hs + d);
                sum += TornadoMath.exp(s * scale - max);
            }
            for (int d = 0; d < hs; d++) out.set(qi + d, 0f);
            for (int j = 0; j <= i; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += q.get(qi + d) * k.get(base + j * hs + d);
                float w = TornadoMath.exp(s * scale - max) / sum;
                for (int d = 0; d < hs; d++) out.set(qi + d, out.get(qi + d) + w * v.get(base + j * hs + d));
            }
            lse.set(row, max + TornadoMath.log(sum));
        }
    }
}
