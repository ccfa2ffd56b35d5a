package llm.gpu;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The element-wise kernels of a GPT-2 training step as TornadoVM kernels, one thread per element ({@code @Parallel}
 * loops): tanh-GELU forward and backward (Book §4.3; CPU reference {@code GeluKernels.forwardScalar},
 * {@code backwardScalar}), the residual add, a linear layer's bias and its gradient, and the AdamW update (Book §5.2; reference
 * {@code AdamWKernels.updateReference}, the same order of operations as PyTorch).
 */
public final class ElementwiseKernels {
    static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    static final float CUBIC = 0.044715f;

    private ElementwiseKernels() {}

    public static void geluForward(FloatArray in, FloatArray out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = in.get(i);
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            out.set(i, 0.5f * v * (1f + TornadoMath.tanh(u)));
        }
    }

    public static void geluBackward(FloatArray in, FloatArray dy, FloatArray dx, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = in.get(i);
            float u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
            float t = TornadoMath.tanh(u);
            float du = SQRT_2_OVER_PI * (1f + 3f * CUBIC * v * v);
            dx.set(i, dy.get(i) * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du));
        }
    }

    /** {@code out = a + b}: the residual connections of a transformer block (Book §4.4). */
    public static void add(FloatArray a, FloatArray b, FloatArray out, int n) {
        for (@Parallel int i = 0; i < n; i++) out.set(i, a.get(i) + b.get(i));
    }

    /** {@code x += y} in place: a residual connection (TornadoVM takes an array only once among a task's arguments). */
    public static void addInPlace(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) x.set(i, x.get(i) + y.get(i));
    }

    /** {@code y[r][j] += bias[j]} for a linear layer's output {@code (rows, n)}. */
    public static void addBias(FloatArray y, FloatArray bias, int rows, int n) {
        for (@Parallel int x = 0; x < rows * n; x++) y.set(x, y.get(x) + bias.get(x - (x / n) * n));
    }

    /** {@code dbias[j] += Σ_r dy[r][j]}: one thread per column, rows in order. */
    public static void biasGradient(FloatArray dy, FloatArray dbias, int rows, int n) {
        for (@Parallel int j = 0; j < n; j++) {
            float s = dbias.get(j);
            for (int r = 0; r < rows; r++) s += dy.get(r * n + j);
            dbias.set(j, s);
        }
    }

    /** Zeroes {@code x}: gradients that kernels add to, before each step. */
    public static void zero(FloatArray x, int n) {
        for (@Parallel int i = 0; i < n; i++) x.set(i, 0f);
    }

    /**
     * AdamW with the step's scalars read from the device array {@code s} = {decayFactor, 1 - beta1, beta2, 1 - beta2,
     * stepSize, sqrt(1 - beta2^t), eps}, which the host refreshes every step (a task graph's scalar arguments are fixed
     * when it is built).
     */
    public static void adamWStep(FloatArray p, FloatArray g, FloatArray m, FloatArray v, int n, FloatArray s) {
        for (@Parallel int i = 0; i < n; i++) {
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

    /** {@code dwpe[t][c] = Σ_b dx[b][t][c]}: the position embeddings' gradient, batch rows in order. */
    public static void positionGradient(FloatArray dx, FloatArray dwpe, int b, int t, int c) {
        for (@Parallel int i = 0; i < t * c; i++) {
            float s = 0f;
            for (int bi = 0; bi < b; bi++) s += dx.get(bi * t * c + i);
            dwpe.set(i, s);
        }
    }

    /** One AdamW step of every element, with the scalars AdamW computes once per step (see {@code AdamWKernels}). */
    public static void adamW(FloatArray p, FloatArray g, FloatArray m, FloatArray v, int n, float decayFactor, float oneMinusBeta1,
                             float beta2, float oneMinusBeta2, float stepSize, float correction2Sqrt, float eps) {
        for (@Parallel int i = 0; i < n; i++) {
            float grad = g.get(i);
            float param = p.get(i) * decayFactor;
            float mi = m.get(i) + oneMinusBeta1 * (grad - m.get(i));
            float vi = v.get(i) * beta2 + oneMinusBeta2 * (grad * grad);
            float denom = TornadoMath.sqrt(vi) / correction2Sqrt + eps;
            m.set(i, mi);
            v.set(i, vi);
            p.set(i, param + -stepSize * (mi / denom));
        }
    }
}
