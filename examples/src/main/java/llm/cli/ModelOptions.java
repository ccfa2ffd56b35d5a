package llm.cli;

import llm.gpt.GPTConfig;
import picocli.CommandLine.Option;

/**
 * The model-size flags commands share ({@code --model} and, for a custom size, {@code --layers}, {@code --heads},
 * {@code --width}), mixed into {@code train} and {@code finetune-classifier}.
 */
final class ModelOptions {
    @Option(names = "--model", defaultValue = "gpt2-small", description = "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, or custom with --layers/--heads/--width (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--layers", description = "Transformer blocks (custom model).")
    Integer layers;

    @Option(names = "--heads", description = "Attention heads (custom model).")
    Integer heads;

    @Option(names = "--width", description = "Embedding width (custom model).")
    Integer width;

    /** The named preset's or the custom size, with the vocabulary, context, dropout and qkv bias the command sets. */
    GPTConfig config(int vocab, int context, float dropout, boolean qkvBias) {
        if (name.equals("custom")) {
            if (layers == null || heads == null || width == null) throw new IllegalArgumentException("--model custom needs --layers, --heads and --width");
            return new GPTConfig(vocab, context, width, heads, layers, dropout, qkvBias);
        }
        GPTConfig preset = GPTConfig.named(name);
        return new GPTConfig(vocab, context, preset.embDim(), preset.nHeads(), preset.nLayers(), dropout, qkvBias);
    }
}
