package llm.generation;

/**
 * What {@link Generator}'s loop needs from a model that keeps a KV cache: run a window of tokens from an empty cache,
 * then one token at a time, each time the next position's logits. {@link ModelDecoder} is the CPU's, through
 * {@code GPTModel.forwardCached}; a device (module {@code gpu-tornado}) brings its own, and the same loop, the same
 * sampling and the same stopping rules then run on it.
 */
public interface Decoder {
    /** Empties the cache and runs {@code tokens} (at most {@link #window()}) through it; the last position's logits {@code (V)}. */
    float[] prefill(int[] tokens);

    /** Appends one token to the cache; its logits {@code (V)}. */
    float[] next(int token);

    /** Tokens in the cache now. */
    int length();

    /** The most tokens the cache holds; when full, the loop refills it with the last {@code window} tokens. */
    int window();
}
