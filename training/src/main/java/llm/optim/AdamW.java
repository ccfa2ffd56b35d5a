package llm.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import llm.autograd.Tensor;
import llm.tensor.AdamWKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.Vectorization;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), with the semantics and the order of floating-point
 * operations of PyTorch's {@code torch.optim.AdamW} (the book's optimiser in §5.2), per element:
 * <pre>
 * p  = p · (1 − lr · weight_decay)             decoupled decay: not part of the gradient
 * m  = m + (1 − β1) · (g − m)                  first moment (torch: exp_avg.lerp_(g, 1 − β1))
 * v  = β2 · v + (1 − β2) · g²                  second moment
 * p  = p − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)   bias-corrected step
 * </pre>
 *
 * <p>With {@link Options#decayMatricesOnly()} only tensors of two or more dimensions decay (weights and
 * embeddings), not biases or LayerNorm scales and shifts, as nanoGPT configures its AdamW.
 *
 * <p>The arithmetic is {@link AdamWKernels}' (a plain reference loop and a Vector API twin that agree bit for
 * bit); chunks of each parameter run on the threads of a {@link Parallelism}. Both are element-wise, so the
 * result does not depend on the thread count.
 */
public final class AdamW extends Optimizer {
    /**
     * @param beta1             decay of the first moment (0.9)
     * @param beta2             decay of the second moment (0.999)
     * @param eps               added to the denominator (1e-8)
     * @param weightDecay       decoupled weight decay (PyTorch's default 0.01; the book uses 0.1)
     * @param decayMatricesOnly decay only parameters of rank ≥ 2
     */
    public record Options(double beta1, double beta2, double eps, double weightDecay, boolean decayMatricesOnly) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("AdamW: beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("AdamW: beta2 must be in [0, 1), got " + beta2);
            if (!(eps >= 0)) throw new IllegalArgumentException("AdamW: eps must be >= 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("AdamW: weight decay must be >= 0, got " + weightDecay);
        }

        /** PyTorch's defaults with the given weight decay. */
        public static Options withWeightDecay(double weightDecay) {
            return new Options(0.9, 0.999, 1e-8, weightDecay, false);
        }
    }

    private static final int CHUNK = 1 << 16;

    private final Options options;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final Parallelism parallelism;

    public AdamW(Map<String, Tensor> namedParameters, double learningRate, Options options) {
        this(namedParameters, learningRate, options, Parallelism.DEFAULT);
    }

    public AdamW(Map<String, Tensor> namedParameters, double learningRate, Options options, Parallelism parallelism) {
        super(namedParameters, learningRate);
        this.options = options;
        this.parallelism = parallelism;
        for (var e : parameters().entrySet()) {
            expAvg.put(e.getKey(), NDArray.zeros(e.getValue().shape()));
            expAvgSq.put(e.getKey(), NDArray.zeros(e.getValue().shape()));
        }
    }

    public Options options() {
        return options;
    }

    @Override
    protected void update(String name, Tensor parameter, NDArray grad) {
        NDArray p = parameter.data();
        if (!p.isContiguous()) throw new IllegalStateException("AdamW: parameter '" + name + "' is not contiguous");
        NDArray g = grad.contiguous();
        float[] m = expAvg.get(name).storage(), v = expAvgSq.get(name).storage();
        long t = steps();
        double lr = learningRate();
        boolean decay = !options.decayMatricesOnly() || p.rank() >= 2;
        // The scalars are computed in double, as Python floats are in PyTorch, then used as float32.
        float decayFactor = (float) (1 - lr * (decay ? options.weightDecay() : 0));
        float oneMinusBeta1 = (float) (1 - options.beta1());
        float beta2 = (float) options.beta2(), oneMinusBeta2 = (float) (1 - options.beta2());
        float stepSize = (float) (lr / (1 - Math.pow(options.beta1(), t)));
        float correction2Sqrt = (float) Math.sqrt(1 - Math.pow(options.beta2(), t));
        float eps = (float) options.eps();
        int n = p.numel();
        float[] ps = p.storage(), gs = g.storage();
        int pOff = p.offset(), gOff = g.offset();
        int chunks = (n + CHUNK - 1) / CHUNK;
        parallelism.forEach(chunks, c -> {
            int from = c * CHUNK, to = Math.min(n, from + CHUNK);
            if (Vectorization.ENABLED) {
                AdamWKernels.updateVector(ps, pOff, gs, gOff, m, v, from, to, decayFactor, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, correction2Sqrt, eps);
            } else {
                AdamWKernels.updateReference(ps, pOff, gs, gOff, m, v, from, to, decayFactor, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, correction2Sqrt, eps);
            }
        });
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (var e : expAvg.entrySet()) out.put("exp_avg." + e.getKey(), e.getValue());
        for (var e : expAvgSq.entrySet()) out.put("exp_avg_sq." + e.getKey(), e.getValue());
        return out;
    }
}
