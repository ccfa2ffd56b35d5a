package llm.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.StateDictCheck;

/**
 * A part of a network that owns parameters and sub-modules under names, like {@code torch.nn.Module}
 * (Book Appendix A.5, §4.1). Names join with dots into the state dictionary's keys, which therefore match the
 * book's PyTorch names one to one ({@code trf_blocks.0.att.W_query.weight}), so the book's checkpoints map
 * directly.
 *
 * <p>A module does not define {@code forward}: its signature differs (an embedding takes token ids, a layer a
 * tensor); layers that map a tensor to a tensor implement {@link Layer}.
 *
 * {@snippet :
 * Linear layer = new Linear(768, 3072, true, new SeededRandom(123));
 * layer.namedParameters().keySet();   // [weight, bias]
 * layer.numParameters();              // 2,362,368
 * }
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter (a tensor that needs a gradient) under {@code name}; returns it. */
    protected final Tensor registerParameter(String name, Tensor parameter) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("name '" + name + "' is already used");
        parameters.put(name, parameter);
        return parameter;
    }

    /** Registers a sub-module under {@code name}; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("name '" + name + "' is already used");
        children.put(name, module);
        return module;
    }

    /**
     * Replaces the sub-module registered under {@code name} (the book's {@code model.out_head = torch.nn.Linear(...)},
     * §6.5); the caller also points its own field at the new module. Returns it.
     */
    protected final <M extends Module> M replaceModule(String name, M module) {
        if (!children.containsKey(name)) throw new IllegalArgumentException("no sub-module named '" + name + "' to replace");
        children.put(name, module);
        return module;
    }

    /** Removes the sub-module registered under {@code name}. */
    protected final void removeModule(String name) {
        if (children.remove(name) == null) throw new IllegalArgumentException("no sub-module named '" + name + "' to remove");
    }

    /** Every parameter with its dotted name, in registration order (a shared tensor appears under each name). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        for (var e : parameters.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out);
    }

    /** The distinct parameter tensors (a tensor shared by two names, as with weight tying, once). */
    public List<Tensor> parameters() {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) if (seen.add(t)) out.add(t);
        return out;
    }

    /** Number of trainable numbers, each shared tensor counted once ({@code sum(p.numel() for p in model.parameters())}). */
    public long numParameters() {
        long n = 0;
        for (Tensor t : parameters()) if (t.requiresGrad()) n += t.numel();
        return n;
    }

    /** Every number, trainable or frozen, each shared tensor counted once (the book's total before freezing). */
    public long totalParameters() {
        long n = 0;
        for (Tensor t : parameters()) n += t.numel();
        return n;
    }

    /** The direct sub-modules by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Training mode (dropout active); on by default. */
    public void train() {
        setTraining(true);
    }

    /** Evaluation mode (dropout off), like {@code model.eval()}. */
    public void eval() {
        setTraining(false);
    }

    private void setTraining(boolean on) {
        training = on;
        for (Module m : children.values()) m.setTraining(on);
    }

    public boolean isTraining() {
        return training;
    }

    /** Turns gradients on or off for every parameter (freezing, Book §6.5). */
    public void requiresGrad(boolean on) {
        for (Tensor t : parameters()) t.setRequiresGrad(on);
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor t : parameters()) t.zeroGrad();
    }

    /** Name → value of every parameter, like {@code model.state_dict()} (values are shared, not copied). */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (var e : namedParameters().entrySet()) out.put(e.getKey(), e.getValue().data());
        return out;
    }

    /**
     * Sets parameters from a state dictionary, which must hold exactly this module's names with matching
     * shapes: a missing, extra or misshapen tensor is an error naming it, and nothing is changed then.
     */
    public void loadStateDict(Map<String, NDArray> state) {
        Map<String, Tensor> mine = namedParameters();
        StateDictCheck.check("loadStateDict", "", mine, Tensor::shape, state, NDArray::shape);
        for (var e : mine.entrySet()) e.getValue().setData(state.get(e.getKey()).contiguous());
    }
}
