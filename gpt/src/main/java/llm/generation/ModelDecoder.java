package llm.generation;

import llm.attention.KVCache;
import llm.autograd.Grad;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;

/** The CPU's {@link Decoder}: {@code GPTModel.forwardCached} on a {@link KVCache} of one row (Book §4.7's loop with a cache). */
public final class ModelDecoder implements Decoder {
    private final GPTModel model;
    private final KVCache cache;
    private final int window;

    /** A decoder of {@code model} whose cache holds {@code window} tokens (at most the model's context length). */
    public ModelDecoder(GPTModel model, int window) {
        this.model = model;
        this.window = Math.min(window, model.config().contextLength());
        this.cache = model.newCache(1, this.window);
    }

    @Override
    public float[] prefill(int[] tokens) {
        cache.reset();
        try (var off = Grad.off()) {
            return model.forwardCached(IntNDArray.of(tokens, 1, tokens.length), cache).data().toArray();
        }
    }

    @Override
    public float[] next(int token) {
        try (var off = Grad.off()) {
            return model.forwardCached(IntNDArray.of(new int[] {token}, 1, 1), cache).data().toArray();
        }
    }

    @Override
    public int length() {
        return cache.length();
    }

    @Override
    public int window() {
        return window;
    }
}
