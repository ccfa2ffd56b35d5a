package llm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU with the tanh approximation GPT-2 uses (Book §4.3), forward and backward over plain arrays:
 * {@code 0.5 · x · (1 + tanh(sqrt(2/π) · (x + 0.044715 · x³)))}, and its closed-form derivative. Each pass has a
 * scalar reference and a Vector API version ({@code Math.tanh} alone took an eighth of a GPT-2 forward pass);
 * the vector tanh is {@link VectorFunctions#tanh}, built from exactly rounded operations. The versions that take a
 * {@link Parallelism} share a large array out among threads (an MLP's 3072 features × every token).
 */
public final class GeluKernels {
    /** sqrt(2/π), from Hendrycks and Gimpel, "Gaussian Error Linear Units", 2016, eq. for the tanh approximation. */
    public static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    /** The cubic coefficient of the same approximation. */
    public static final float CUBIC = 0.044715f;
    private static final VectorSpecies<Float> F = Vectorization.SPECIES;

    private GeluKernels() {}

    /** Elements per task of the threaded passes: a multiple of every vector length, so they compute the same numbers. */
    private static final int CHUNK = 1 << 15;

    /** {@code out[oo..oo+n) = gelu(in[base..base+n))}, vector or scalar as {@link Vectorization#ENABLED} says. */
    public static void forward(float[] in, int base, float[] out, int oo, int n) {
        if (Vectorization.ENABLED) forwardVector(in, base, out, oo, n);
        else forwardScalar(in, base, out, oo, n);
    }

    /** {@code dx[xo..xo+n) = dy[go..go+n) · gelu'(in[base..base+n))}, vector or scalar. */
    public static void backward(float[] in, int base, float[] dy, int go, float[] dx, int xo, int n) {
        if (Vectorization.ENABLED) backwardVector(in, base, dy, go, dx, xo, n);
        else backwardScalar(in, base, dy, go, dx, xo, n);
    }

    /** {@link #forward} with the elements shared out in chunks among the threads of {@code par}. */
    public static void forward(float[] in, int base, float[] out, int oo, int n, Parallelism par) {
        par.forEach((n + CHUNK - 1) / CHUNK, c -> {
            int i = c * CHUNK;
            forward(in, base + i, out, oo + i, Math.min(CHUNK, n - i));
        });
    }

    /** {@link #backward} with the elements shared out in chunks among the threads of {@code par}. */
    public static void backward(float[] in, int base, float[] dy, int go, float[] dx, int xo, int n, Parallelism par) {
        par.forEach((n + CHUNK - 1) / CHUNK, c -> {
            int i = c * CHUNK;
            backward(in, base + i, dy, go + i, dx, xo + i, Math.min(CHUNK, n - i));
        });
    }

    /** Reference: {@code out[i] = 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³)))} for {@code x = in[base + i]}. */
    public static void forwardScalar(float[] in, int base, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            float v = in[base + i];
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            out[oo + i] = 0.5f * v * (1f + (float) Math.tanh(u));
        }
    }

    /** {@link #forwardScalar} a vector at a time; tanh is the Vector API's (accurate to about 1 ulp). */
    public static void forwardVector(float[] in, int base, float[] out, int oo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, in, base + i);
            FloatVector u = v.mul(v).mul(v).mul(CUBIC).add(v).mul(SQRT_2_OVER_PI);
            v.mul(0.5f).mul(VectorFunctions.tanh(u).add(1f)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            float v = in[base + i];
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            out[oo + i] = 0.5f * v * (1f + (float) Math.tanh(u));
        }
    }

    /** Reference backward: {@code dx = dy · (0.5 (1 + tanh u) + 0.5 x (1 - tanh² u) du/dx)}. */
    public static void backwardScalar(float[] in, int base, float[] dy, int go, float[] dx, int xo, int n) {
        for (int i = 0; i < n; i++) {
            float v = in[base + i];
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            float t = (float) Math.tanh(u);
            float du = SQRT_2_OVER_PI * (1f + 3f * CUBIC * v * v);
            dx[xo + i] = dy[go + i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du);
        }
    }

    /** {@link #backwardScalar} a vector at a time. */
    public static void backwardVector(float[] in, int base, float[] dy, int go, float[] dx, int xo, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, in, base + i);
            FloatVector v2 = v.mul(v);
            FloatVector t = v2.mul(v).mul(CUBIC).add(v).mul(SQRT_2_OVER_PI);
            t = VectorFunctions.tanh(t);
            FloatVector du = v2.mul(3f * CUBIC).add(1f).mul(SQRT_2_OVER_PI);
            FloatVector left = t.add(1f).mul(0.5f);
            FloatVector right = v.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(du);
            FloatVector.fromArray(F, dy, go + i).mul(left.add(right)).intoArray(dx, xo + i);
        }
        for (; i < n; i++) {
            float v = in[base + i];
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            float t = (float) Math.tanh(u);
            float du = SQRT_2_OVER_PI * (1f + 3f * CUBIC * v * v);
            dx[xo + i] = dy[go + i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du);
        }
    }
}
