package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The kernels of generation with a KV cache, one token at a time (Book §4.7 and the KV cache of
 * {@code llm.attention.KVCache}): the token's and its position's embeddings, a matrix-vector product for every
 * linear layer, the new key and value stored in the cache at the token's position, and attention of the new query
 * over the cached keys {@code 0..pos}. The token and its position come from the device array {@code state =
 * {token, pos}}, which the host refreshes for every token (a task graph's scalar arguments are fixed when it is built).
 */
public final class DecodeKernels {
    private DecodeKernels() {}

    /** {@code a[x + i] = wte[token][i] + wpe[pos][i]}. */
    public static void embed(FloatArray w, int wte, int wpe, IntArray state, FloatArray a, int x, int c) {
        for (@Parallel int i = 0; i < c; i++) a.set(x + i, w.get(wte + state.get(0) * c + i) + w.get(wpe + state.get(1) * c + i));
    }

    /** {@code y[j] = Σ_p x[p] · w[j][p]} for a weight {@code (N, K)}: one thread per output, the sum in order. */
    public static void matVec(FloatArray xs, int x, FloatArray w, int wOff, FloatArray ys, int y, int n, int k) {
        for (@Parallel int j = 0; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += xs.get(x + p) * w.get(wOff + j * k + p);
            ys.set(y + j, s);
        }
    }

    /**
     * {@link #matVec} with the weight stored in 16-bit floats (fp16): half the bytes to read, which is what a
     * token's time is made of at batch 1; each weight is widened to float as it is read and the sum stays in float.
     */
    public static void matVecHalf(FloatArray xs, int x, HalfFloatArray w, int wOff, FloatArray ys, int y, int n, int k) {
        for (@Parallel int j = 0; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += xs.get(x + p) * w.get(wOff + j * k + p).getFloat32();
            ys.set(y + j, s);
        }
    }

    /**
     * {@link #matVec} with the weight stored as bytes and a scale per row, as {@code llm.tensor.Int8Rows} stores it:
     * {@code y[j] = scale[j] · Σ_p x[p] · q[j][p]}, a quarter of fp32's bytes. Integer to float is arithmetic every
     * backend compiles (a 16-bit float needs the device's fp16 support, which PoCL lacks).
     */
    public static void matVecInt8(FloatArray xs, int x, ByteArray w, int wOff, FloatArray scales, int sOff, FloatArray ys, int y, int n, int k) {
        for (@Parallel int j = 0; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += xs.get(x + p) * w.get(wOff + j * k + p);
            ys.set(y + j, s * scales.get(sOff + j));
        }
    }

    /** The new token's key and value, rows of {@code c}, into the cache's rows {@code pos} (each cache {@code (maxT, C)}). */
    public static void store(FloatArray a, int k, int v, IntArray state, FloatArray cache, int kAt, int vAt, int c) {
        for (@Parallel int i = 0; i < c; i++) {
            int row = state.get(1) * c + i;
            cache.set(kAt + row, a.get(k + i));
            cache.set(vAt + row, a.get(v + i));
        }
    }

    /**
     * One thread per head: the new query against the cached keys {@code 0..pos}, their softmax (maximum first, as
     * the CPU's kernels) and the weighted sum of the cached values, into {@code a[out]} laid out {@code (heads·hs)}.
     */
    public static void attend(FloatArray a, int q, int out, FloatArray cache, int kAt, int vAt, IntArray state, int heads, int hs, float scale) {
        for (@Parallel int hd = 0; hd < heads; hd++) {
            int pos = state.get(1), c = heads * hs, qo = q + hd * hs, oo = out + hd * hs;
            float max = -3.0e38f;
            for (int j = 0; j <= pos; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(qo + d) * cache.get(kAt + j * c + hd * hs + d);
                max = TornadoMath.max(max, s * scale);
            }
            float sum = 0f;
            for (int j = 0; j <= pos; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(qo + d) * cache.get(kAt + j * c + hd * hs + d);
                sum += TornadoMath.exp(s * scale - max);
            }
            for (int d = 0; d < hs; d++) a.set(oo + d, 0f);
            for (int j = 0; j <= pos; j++) {
                float s = 0f;
                for (int d = 0; d < hs; d++) s += a.get(qo + d) * cache.get(kAt + j * c + hd * hs + d);
                float wgt = TornadoMath.exp(s * scale - max) / sum;
                for (int d = 0; d < hs; d++) a.set(oo + d, a.get(oo + d) + wgt * cache.get(vAt + j * c + hd * hs + d));
            }
        }
    }
}
