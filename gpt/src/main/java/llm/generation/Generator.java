package llm.generation;

import java.util.Arrays;
import java.util.function.IntConsumer;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * Text generation (Book §4.7 {@code generate_text_simple}, §5.3 {@code generate}): run the model on the last
 * {@code contextSize} tokens, choose the next token from the last position's logits, append it, repeat.
 * Runs without recording a graph. This version recomputes the whole window at each step.
 *
 * {@snippet :
 * int[] out = Generator.generate(model, prompt, 10, 256, SamplingOptions.sample(1.4f, 25, 1f, 123), id -> {});
 * }
 */
public final class Generator {
    private Generator() {}

    /** Greedy decoding, the book's {@code generate_text_simple}: prompt plus {@code maxNewTokens} ids. */
    public static int[] generateTextSimple(GPTModel model, int[] prompt, int maxNewTokens, int contextSize) {
        return generate(model, prompt, maxNewTokens, contextSize, SamplingOptions.GREEDY, id -> {});
    }

    /**
     * The prompt followed by up to {@code maxNewTokens} generated ids; stops before appending {@code eosId}.
     * {@code onToken} receives each new id as soon as it is chosen (to stream text).
     */
    public static int[] generate(GPTModel model, int[] prompt, int maxNewTokens, int contextSize, SamplingOptions options, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty");
        int window = Math.min(contextSize, model.config().contextLength());
        SeededRandom rng = new SeededRandom(options.seed());
        int[] ids = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int n = prompt.length;
        try (var off = Grad.off()) {
            for (int step = 0; step < maxNewTokens; step++) {
                int start = Math.max(0, n - window);
                int[] context = Arrays.copyOfRange(ids, start, n);
                Tensor logits = model.forward(IntNDArray.of(context, 1, context.length));      // (1, T, V)
                float[] last = logits.data().select(0, 0).select(0, context.length - 1).toArray(); // (V)
                int next = NextToken.choose(last, options, rng);
                if (next == options.eosId()) break;
                ids[n++] = next;
                onToken.accept(next);
            }
        }
        return Arrays.copyOf(ids, n);
    }
}
