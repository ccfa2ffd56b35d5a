package llm.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import llm.autograd.Tensor;
import llm.tensor.NDArray;

/**
 * Stochastic gradient descent with momentum, with the semantics of PyTorch's {@code torch.optim.SGD}:
 * <pre>
 * g = g + weight_decay · p                          (L2 penalty, coupled to the gradient)
 * b = g                       on the first step
 * b = momentum · b + (1 − dampening) · g            afterwards
 * g = g + momentum · b  (Nesterov)   or   g = b
 * p = p − lr · g
 * </pre>
 * With momentum 0 this is the plain {@code p -= lr · grad} of Appendix A.7.
 */
public final class SGD extends Optimizer {
    /**
     * PyTorch's {@code torch.optim.SGD} settings.
     *
     * @param momentum    the velocity's decay (0: plain SGD)
     * @param dampening   how much of each gradient the velocity takes in, as {@code 1 - dampening}
     * @param weightDecay L2 penalty added to the gradient ({@code g + weightDecay · p})
     * @param nesterov    Nesterov's look-ahead momentum
     */
    public record Options(double momentum, double dampening, double weightDecay, boolean nesterov) {
        public Options {
            if (!(momentum >= 0)) throw new IllegalArgumentException("SGD: momentum must be >= 0, got " + momentum);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("SGD: weight decay must be >= 0, got " + weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
        }

        /** No momentum, no decay: Appendix A.7's {@code p -= lr · grad}. */
        public static Options plain() {
            return new Options(0, 0, 0, false);
        }
    }

    private final Options options;
    private final Map<String, NDArray> momentumBuffers = new LinkedHashMap<>();

    public SGD(Map<String, Tensor> namedParameters, double learningRate, Options options) {
        super(namedParameters, learningRate);
        this.options = options;
        if (options.momentum() != 0) {
            for (var e : parameters().entrySet()) momentumBuffers.put(e.getKey(), NDArray.zeros(e.getValue().shape()));
        }
    }

    @Override
    protected void update(String name, Tensor parameter, NDArray grad) {
        NDArray p = parameter.data();
        if (!p.isContiguous()) throw new IllegalStateException("SGD: parameter '" + name + "' is not contiguous");
        NDArray gc = grad.contiguous();
        float[] ps = p.storage(), gs = gc.storage();
        int pOff = p.offset(), gOff = gc.offset(), n = p.numel();
        float lr = (float) learningRate(), wd = (float) options.weightDecay();
        float mu = (float) options.momentum(), keep = (float) (1 - options.dampening());
        float[] b = options.momentum() != 0 ? momentumBuffers.get(name).storage() : null;
        boolean first = steps() == 1;
        for (int i = 0; i < n; i++) {
            float g = gs[gOff + i];
            if (wd != 0) g = g + wd * ps[pOff + i];
            if (b != null) {
                b[i] = first ? g : mu * b[i] + keep * g;
                g = options.nesterov() ? g + mu * b[i] : b[i];
            }
            ps[pOff + i] = ps[pOff + i] - lr * g;
        }
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (var e : momentumBuffers.entrySet()) out.put("momentum_buffer." + e.getKey(), e.getValue());
        return out;
    }
}
