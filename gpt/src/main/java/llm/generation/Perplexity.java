package llm.generation;

import java.util.function.IntConsumer;

import llm.tensor.CrossEntropyKernels;
import llm.tensor.Parallelism;

/**
 * The loss of a text under a model, token by token through a {@link Decoder}, and its perplexity (Book §5.1.2: the
 * cross-entropy is the mean of {@code -log p(next token)}, the perplexity its exponential: in effect, how many tokens
 * the model is unsure between at each step). The text is cut as the book's {@code GPTDatasetV1} cuts it with {@code stride =
 * max_length}: windows of {@code window} input tokens, each followed by its target, an incomplete tail dropped; each
 * window starts from an empty cache. What it is for: the same number for fp32, bf16 and int8 weights
 * ({@link MatVecDecoder}), which is the loss a storage format costs.
 */
public final class Perplexity {
    private Perplexity() {}

    /** The mean loss in nats over {@code tokens} predicted tokens; {@link #perplexity()} is {@code exp(loss)}. */
    public record Result(double loss, long tokens) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    /** {@link #of(Decoder, int[], int, IntConsumer)} without progress. */
    public static Result of(Decoder decoder, int[] tokens, int window) {
        return of(decoder, tokens, window, w -> {});
    }

    /**
     * The loss of {@code tokens} in windows of {@code window} tokens (at most the decoder's); {@code onWindow} hears
     * the number of windows done after each. A text without one whole window plus its target is an error.
     */
    public static Result of(Decoder decoder, int[] tokens, int window, IntConsumer onWindow) {
        if (window < 1 || window > decoder.window()) {
            throw new IllegalArgumentException("Perplexity: the window must be 1 to " + decoder.window() + " tokens, got " + window);
        }
        if (tokens.length < window + 1) {
            throw new IllegalArgumentException("Perplexity: the text has " + tokens.length + " tokens; a window of " + window
                    + " needs at least " + (window + 1));
        }
        double sum = 0;
        long count = 0;
        float[] scratch = null;
        int done = 0;
        for (int start = 0; start + window < tokens.length; start += window) {
            float[] logits = decoder.prefill(new int[] {tokens[start]});
            for (int j = 0; j < window; j++) {
                if (j > 0) logits = decoder.next(tokens[start + j]);
                if (scratch == null) scratch = new float[logits.length];
                int target = tokens[start + j + 1];
                if (target < 0 || target >= logits.length) {
                    throw new IllegalArgumentException("Perplexity: token " + target + " at position " + (start + j + 1)
                            + " is outside the model's vocabulary of " + logits.length);
                }
                sum += CrossEntropyKernels.forward(logits, 0, new int[] {target}, -1, scratch, 1, logits.length, Parallelism.SINGLE).total();
                count++;
            }
            onWindow.accept(++done);
        }
        return new Result(sum / count, count);
    }
}
