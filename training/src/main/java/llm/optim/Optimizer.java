package llm.optim;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.StateDictCheck;

/**
 * What every optimiser shares (PyTorch's {@code torch.optim.Optimizer}): the parameters it updates, by name,
 * a learning rate that a schedule may change between steps, the number of steps taken, and per-parameter
 * state that a checkpoint saves and restores.
 *
 * <p>Parameters are kept by their first name: a tensor shared under two names (a tied output head) is
 * updated once per step, as in PyTorch, where {@code model.parameters()} yields it once.
 */
public abstract class Optimizer {
    private final Map<String, Tensor> parameters;
    private double learningRate;
    private long steps;

    protected Optimizer(Map<String, Tensor> namedParameters, double learningRate) {
        if (!(learningRate >= 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be >= 0, got " + learningRate);
        this.parameters = distinct(namedParameters);
        if (parameters.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimise");
        this.learningRate = learningRate;
    }

    /** The named tensors with each shared tensor kept once, under the first of its names. */
    public static Map<String, Tensor> distinct(Map<String, Tensor> named) {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : named.entrySet()) if (seen.add(e.getValue())) out.put(e.getKey(), e.getValue());
        return Collections.unmodifiableMap(out);
    }

    /** Updates every parameter that has a gradient; parameters without one (frozen, unused) are skipped. */
    public final void step() {
        steps++;
        for (var e : parameters.entrySet()) {
            Tensor p = e.getValue();
            if (p.requiresGrad() && p.grad() != null) update(e.getKey(), p, p.grad());
        }
    }

    /** Updates one parameter in place from its gradient; {@link #steps()} already counts this step. */
    protected abstract void update(String name, Tensor parameter, NDArray grad);

    /** Clears every parameter's gradient ({@code optimizer.zero_grad()}). */
    public final void zeroGrad() {
        for (Tensor p : parameters.values()) p.zeroGrad();
    }

    public final Map<String, Tensor> parameters() {
        return parameters;
    }

    public final double learningRate() {
        return learningRate;
    }

    public final void setLearningRate(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        this.learningRate = lr;
    }

    /** Steps taken so far ({@code state['step']} in PyTorch). */
    public final long steps() {
        return steps;
    }

    /**
     * Per-parameter state by key {@code "<state>.<parameter name>"} (for AdamW {@code exp_avg.*} and
     * {@code exp_avg_sq.*}), the live arrays, not copies.
     */
    public abstract Map<String, NDArray> state();

    /**
     * Restores what {@link #state()} and {@link #steps()} returned: every key must be present with the
     * parameter's shape, or nothing changes and the error names the key.
     */
    public final void loadState(Map<String, NDArray> state, long steps) {
        Map<String, NDArray> mine = state();
        StateDictCheck.check(getClass().getSimpleName() + " state", "", mine, NDArray::shape, state, NDArray::shape);
        for (var e : mine.entrySet()) {
            float[] src = state.get(e.getKey()).contiguous().toArray();
            System.arraycopy(src, 0, e.getValue().storage(), 0, src.length);
        }
        this.steps = steps;
    }
}
