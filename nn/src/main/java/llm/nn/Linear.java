package llm.nn;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * {@code y = x · Wᵀ + b}, like {@code torch.nn.Linear} (Book §3.4.2): weight {@code (out, in)}, bias {@code
 * (out)}, both initialised uniformly in {@code ±1/sqrt(in)} (PyTorch's default). The product reads {@code W}
 * transposed in place; no copy is made.
 *
 * <p>An adapter may be attached ({@link #attachAdapter}): a second branch whose output is added, {@code y = x · Wᵀ +
 * b + adapter(x)}. That is the book's {@code LinearWithLoRA} (Appendix E), with a {@code LoRALayer} as the adapter;
 * the adapter's parameters appear under its name ({@code W_query.lora.A}).
 */
public final class Linear extends Module implements Layer {
    public final Tensor weight;  // (out, in)
    public final Tensor bias;    // (out), or null
    private Layer adapter;       // (..., in) -> (..., out), added to the output; or null
    private String adapterName;

    public Linear(int in, int out, boolean bias, SeededRandom rng) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        this.weight = registerParameter("weight", Tensor.parameter(NDArray.kaimingUniform(rng, in, out, in)));
        this.bias = bias ? registerParameter("bias", Tensor.parameter(NDArray.kaimingUniform(rng, in, out))) : null;
    }

    private Linear(Tensor sharedWeight) {
        this.weight = registerParameter("weight", sharedWeight);
        this.bias = null;
    }

    /**
     * A bias-free layer whose weight is {@code weight} itself, not a copy: weight tying (Book §4.6), where
     * GPT-2's output head reuses the token embedding matrix {@code (V, C)}.
     */
    public static Linear sharing(Tensor weight) {
        if (weight.rank() != 2) throw new IllegalArgumentException("Linear.sharing: weight must be (out, in), got rank " + weight.rank());
        return new Linear(weight);
    }

    /** Input features. */
    public int inFeatures() {
        return weight.dim(1);
    }

    /** Output features. */
    public int outFeatures() {
        return weight.dim(0);
    }

    private boolean adapterOn = true;

    /** Adds {@code adapter}'s output to this layer's from now on, registered under {@code name}; returns it. */
    public <A extends Module & Layer> A attachAdapter(String name, A adapter) {
        if (this.adapter != null) throw new IllegalStateException("Linear: an adapter '" + adapterName + "' is already attached");
        registerModule(name, adapter);
        this.adapter = adapter;
        this.adapterName = name;
        return adapter;
    }

    /** The attached adapter, or null. */
    public Layer adapter() {
        return adapter;
    }

    /**
     * Turns the attached adapter's contribution off or on without removing it (PEFT's {@code disable_adapter()}):
     * with it off, the layer computes the frozen base alone, so one copy of the base serves as RLHF's reference.
     */
    public void adapterEnabled(boolean on) {
        this.adapterOn = on;
    }

    /** Removes the adapter (after merging it into the weight, say). */
    public void detachAdapter() {
        if (adapter == null) throw new IllegalStateException("Linear: no adapter attached");
        removeModule(adapterName);
        adapter = null;
        adapterName = null;
    }

    /** {@code (..., in) -> (..., out)}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = llm.autograd.fused.FusedLinear.apply(x, weight, bias);   // x·Wᵀ + b, with llm.c's explicit backward
        return adapter == null || !adapterOn ? y : y.add(adapter.forward(x));
    }
}
