package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * The element-wise kernels of a GPT-2 training step as TornadoVM kernels, one thread per element ({@code @Parallel}
 * loops): tanh-GELU forward and backward (Book §4.3; CPU reference {@code GeluKernels.forwardScalar},
 * {@code backwardScalar}), the residual add, a linear layer's bias and its gradient, and the AdamW update (Book §5.2; reference
 * {@code AdamWKernels.updateReference}, the same order of operations as PyTorch). Arrays are packed as llm.c lays them
 * out: one for the parameters, one for their gradients, one for the activations, each operand at its own offset.
 * A kernel takes each array once: TornadoVM 5.2 orders a task after itself (and never runs it) when an array it
 * writes appears again among the task's later arguments.
 */
public final class ElementwiseKernels {
    static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    static final float CUBIC = 0.044715f;

    private ElementwiseKernels() {}

    public static void geluForward(FloatArray a, int in, int out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = a.get(in + i);
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            a.set(out + i, 0.5f * v * (1f + TornadoMath.tanh(u)));
        }
    }

    public static void geluBackward(FloatArray a, int in, int dy, int dx, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = a.get(in + i);
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            float t = TornadoMath.tanh(u);
            float du = SQRT_2_OVER_PI * (1f + 3f * CUBIC * v * v);
            a.set(dx + i, a.get(dy + i) * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du));
        }
    }

    /** {@code out = a + b}: the residual connections of a transformer block (Book §4.4). */
    public static void add(FloatArray a, int x, int y, int out, int n) {
        for (@Parallel int i = 0; i < n; i++) a.set(out + i, a.get(x + i) + a.get(y + i));
    }

    /** {@code x += y} in place: a residual connection, or a gradient that two branches add to. */
    public static void addInPlace(FloatArray a, int x, int y, int n) {
        for (@Parallel int i = 0; i < n; i++) a.set(x + i, a.get(x + i) + a.get(y + i));
    }

    /** {@code y[r][j] += bias[j]} for a linear layer's output {@code (rows, n)}. */
    public static void addBias(FloatArray y, int yOff, FloatArray bias, int biasOff, int rows, int n) {
        for (@Parallel int x = 0; x < rows * n; x++) y.set(yOff + x, y.get(yOff + x) + bias.get(biasOff + x - (x / n) * n));
    }

    /** {@code dbias[j] += Σ_r dy[r][j]}: one thread per column, rows in order. */
    public static void biasGradient(FloatArray dy, int dyOff, FloatArray dbias, int dbOff, int rows, int n) {
        for (@Parallel int j = 0; j < n; j++) {
            float s = dbias.get(dbOff + j);
            for (int r = 0; r < rows; r++) s += dy.get(dyOff + r * n + j);
            dbias.set(dbOff + j, s);
        }
    }

    /** {@code dst[dstOff ..] = src[srcOff ..]}, {@code n} numbers: a small head's outputs out of the activations, their gradients in. */
    public static void copy(FloatArray src, int srcOff, FloatArray dst, int dstOff, int n) {
        for (@Parallel int i = 0; i < n; i++) dst.set(dstOff + i, src.get(srcOff + i));
    }

    /** Zeroes {@code n} numbers of {@code x} from {@code off}: gradients that kernels add to, before each step. */
    public static void zero(FloatArray x, int off, int n) {
        for (@Parallel int i = 0; i < n; i++) x.set(off + i, 0f);
    }

    /**
     * AdamW with the step's scalars read from the device array {@code s} = {decayFactor, 1 - beta1, beta2, 1 - beta2,
     * stepSize, sqrt(1 - beta2^t), eps}, which the host refreshes every step (a task graph's scalar arguments are fixed
     * when it is built). One task updates {@code n} numbers of the packed arrays from {@code from}: all of them, or one
     * run of parameters that train when others are frozen (classification fine-tuning, Book §6.5).
     */
    public static void adamWStep(FloatArray p, FloatArray g, FloatArray m, FloatArray v, int from, int n, FloatArray s) {
        for (@Parallel int k = 0; k < n; k++) {
            int i = from + k;
            float grad = g.get(i);
            float param = p.get(i) * s.get(0);
            float mi = m.get(i) + s.get(1) * (grad - m.get(i));
            float vi = v.get(i) * s.get(2) + s.get(3) * (grad * grad);
            float denom = TornadoMath.sqrt(vi) / s.get(5) + s.get(6);
            m.set(i, mi);
            v.set(i, vi);
            p.set(i, param + -s.get(4) * (mi / denom));
        }
    }

    /** {@code dwpe[t][c] += Σ_b dx[b][t][c]}: the position embeddings' gradient, batch rows in order. */
    public static void positionGradient(FloatArray dx, int dxOff, FloatArray dwpe, int wpeOff, int b, int t, int c) {
        for (@Parallel int i = 0; i < t * c; i++) {
            float s = dwpe.get(wpeOff + i);
            for (int bi = 0; bi < b; bi++) s += dx.get(dxOff + bi * t * c + i);
            dwpe.set(wpeOff + i, s);
        }
    }

    /**
     * The {@code i}-th number (from 0) of SplitMix64 in state {@code start}, as {@code SeededRandom.floatAt} draws it
     * on the CPU: the generator's i-th number depends only on its state plus {@code i + 1} steps, so every thread
     * draws its own element's number, and the device's dropout masks are the CPU's bit for bit.
     *
     * <p>Each unsigned shift {@code z >>> k} is written as the arithmetic shift with the top {@code k} bits masked
     * off, which is the same number: on PoCL, TornadoVM 5.2's code for {@code >>>} on a {@code long} kept the sign
     * bit (the top 24 bits of a negative state came out as -6,408,327 where Java gives 10,368,889, 2^24 more), and
     * a quarter of a mask's elements differed from the CPU's.
     */
    static float uniformAt(long start, long i) {
        long z = start + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ ((z >> 30) & 0x3FFFFFFFFL)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ ((z >> 27) & 0x1FFFFFFFFFL)) * 0x94D049BB133111EBL;
        z = z ^ ((z >> 31) & 0x1FFFFFFFFL);
        return ((z >> 40) & 0xFFFFFFL) * 0x1.0p-24f;
    }

    /**
     * The factor inverted dropout gives element {@code i} of the mask drawn from {@code starts[which]}: {@code
     * 1/(1-rate)} where the draw is at least the rate, else 0 ({@code DropoutKernels.scaledMask}); 1 for a rate of 0.
     * {@code rate} holds the rate and {@code 1/(1-rate)}, so one graph trains with dropout and evaluates without.
     */
    static float dropFactor(LongArray starts, int which, FloatArray rate, long i) {
        float p = rate.get(0);
        float factor = 1f;
        if (p > 0f) factor = uniformAt(starts.get(which), i) >= p ? rate.get(1) : 0f;
        return factor;
    }

    /** Writes {@code rate} in the form the dropout kernels read: the rate and {@code 1/(1 - rate)} (1 for a rate of 0). */
    static void setDropRate(FloatArray scalars, float rate) {
        scalars.set(0, rate);
        scalars.set(1, rate > 0f ? 1f / (1f - rate) : 1f);
    }

    /**
     * Inverted dropout (Book §3.5.2, §4.5's {@code drop_emb} and {@code drop_shortcut}): {@code a[out + i] = a[x + i] ·
     * m_i}, in place when {@code out == x}. The backward is the same call on the gradient: the mask is drawn again,
     * not stored.
     */
    public static void dropout(FloatArray a, int x, int out, int n, LongArray starts, int which, FloatArray rate) {
        for (@Parallel int i = 0; i < n; i++) a.set(out + i, a.get(x + i) * dropFactor(starts, which, rate, i));
    }
}
