package llm.generation;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;

/**
 * A {@link Decoder} without a cache, the book's loop (§4.7 {@code generate_text_simple}): it keeps the last tokens
 * and runs the whole window through {@code GPTModel.forward} for every new one. Slow, and kept as the reference the
 * cached {@link ModelDecoder} is tested against.
 */
public final class WindowDecoder implements Decoder {
    private final GPTModel model;
    private final int window;
    private int[] tokens = new int[0];

    public WindowDecoder(GPTModel model, int window) {
        this.model = model;
        this.window = Math.min(window, model.config().contextLength());
    }

    @Override
    public float[] prefill(int[] context) {
        tokens = context.clone();
        return lastLogits();
    }

    @Override
    public float[] next(int token) {
        tokens = Arrays.copyOf(tokens, tokens.length + 1);
        tokens[tokens.length - 1] = token;
        return lastLogits();
    }

    /** The whole window through the model; the last position's logits. */
    private float[] lastLogits() {
        try (var off = Grad.off()) {
            Tensor logits = model.forward(IntNDArray.of(tokens, 1, tokens.length));      // (1, T, V)
            return logits.data().select(0, 0).select(0, tokens.length - 1).toArray();   // (V)
        }
    }

    @Override
    public int length() {
        return tokens.length;
    }

    @Override
    public int window() {
        return window;
    }
}
