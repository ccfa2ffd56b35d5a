package llm.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import llm.nn.Linear;
import llm.nn.Module;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * The book's {@code LinearWithLoRA} and {@code replace_linear_with_lora} (Appendix E): a {@link Linear} whose output
 * gains a {@link LoRALayer}'s, {@code x · Wᵀ + b + (α / r) · x · A · B}. Here the LoRA layer is attached to the
 * linear layer itself (as its adapter, named {@code lora}), so every model that holds linear layers can be adapted
 * without rebuilding it: the parameters appear as {@code trf_blocks.0.att.W_query.lora.A}. {@link #merge} folds
 * the adapter into the weight for inference.
 */
public final class LinearWithLoRA {
    /** The name LoRA parameters carry in a state dictionary ({@code ...W_query.lora.A}). */
    public static final String NAME = "lora";

    private LinearWithLoRA() {}

    /** Attaches a new LoRA layer of {@code rank} and {@code alpha} to {@code linear}; returns it. */
    public static LoRALayer attach(Linear linear, int rank, double alpha, SeededRandom rng) {
        return linear.attachAdapter(NAME, new LoRALayer(linear.inFeatures(), linear.outFeatures(), rank, alpha, rng));
    }

    /**
     * {@code replace_linear_with_lora}: attaches LoRA to every linear layer under {@code model} (in registration
     * order, so a seed gives the same A matrices); returns their dotted names. Freeze the model first: the new A and
     * B are then its only trainable parameters (besides whatever is unfrozen afterwards).
     */
    public static List<String> replaceLinearWithLoRA(Module model, int rank, double alpha, SeededRandom rng) {
        List<String> names = new ArrayList<>();
        for (var e : linearLayers(model).entrySet()) {
            attach(e.getValue(), rank, alpha, rng);
            names.add(e.getKey());
        }
        return names;
    }

    /** Every linear layer under {@code model} by dotted name, in registration order. */
    public static Map<String, Linear> linearLayers(Module model) {
        Map<String, Linear> out = new LinkedHashMap<>();
        collect("", model, out);
        return out;
    }

    private static void collect(String prefix, Module m, Map<String, Linear> out) {
        if (m instanceof Linear linear) {
            out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), linear);
            return;                                         // its adapter's own layers are not adapted again
        }
        for (var e : m.children().entrySet()) collect(prefix + e.getKey() + ".", e.getValue(), out);
    }

    /** Adds the adapter's {@code ΔW} into {@code linear}'s weight and removes the adapter: the same outputs, one product. */
    public static void merge(Linear linear) {
        if (!(linear.adapter() instanceof LoRALayer lora)) throw new IllegalArgumentException("merge: the layer has no LoRA adapter");
        NDArray w = linear.weight.data();
        float[] delta = lora.deltaWeight().toArray(), values = w.storage();
        for (int i = 0; i < delta.length; i++) values[w.offset() + i] += delta[i];
        linear.detachAdapter();
    }

    /**
     * Runs {@code body} with every adapter under {@code model} switched off (PEFT's {@code with
     * model.disable_adapter():}), and on again afterwards: the frozen base's outputs without a second copy of it.
     */
    public static <T> T withAdaptersDisabled(Module model, java.util.function.Supplier<T> body) {
        List<Linear> adapted = new ArrayList<>();
        for (Linear l : linearLayers(model).values()) if (l.adapter() != null) adapted.add(l);
        for (Linear l : adapted) l.adapterEnabled(false);
        try {
            return body.get();
        } finally {
            for (Linear l : adapted) l.adapterEnabled(true);
        }
    }

    /** Merges every adapter under {@code model}; returns how many. */
    public static int mergeAll(Module model) {
        int n = 0;
        for (Linear l : linearLayers(model).values()) {
            if (l.adapter() instanceof LoRALayer) {
                merge(l);
                n++;
            }
        }
        return n;
    }
}
