package llm.generation;

/**
 * A {@link Decoder} whose prompt goes through the same one-token step as generation: the prefill is {@link #step}
 * once per prompt token, from position 0. What it takes care of: the cache's length, its window, and the checks on a
 * token and on a full cache, so that a decoder ({@link MatVecDecoder}, the device's in module {@code gpu-tornado})
 * writes only its step.
 */
public abstract class TokenByTokenDecoder implements Decoder {
    private final int window, vocabSize;
    private int length;

    /** A decoder whose cache holds {@code window} tokens of a vocabulary of {@code vocabSize}. */
    protected TokenByTokenDecoder(int window, int vocabSize) {
        if (window < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": the window must be at least 1 token, got " + window);
        this.window = window;
        this.vocabSize = vocabSize;
    }

    /** Runs {@code token} at {@code position} (its key and value stored there); the logits {@code (V)} of the next token. */
    protected abstract float[] step(int token, int position);

    @Override
    public final float[] prefill(int[] tokens) {
        if (tokens.length == 0 || tokens.length > window) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": prefill takes 1 to " + window + " tokens, got " + tokens.length);
        }
        length = 0;
        float[] last = null;
        for (int token : tokens) last = next(token);
        return last;
    }

    @Override
    public final float[] next(int token) {
        if (length == window) throw new IllegalStateException(getClass().getSimpleName() + ": the cache's " + window + " tokens are full");
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": token " + token + " is outside the vocabulary of " + vocabSize);
        }
        float[] logits = step(token, length);
        length++;
        return logits;
    }

    @Override
    public final int length() {
        return length;
    }

    @Override
    public final int window() {
        return window;
    }
}
