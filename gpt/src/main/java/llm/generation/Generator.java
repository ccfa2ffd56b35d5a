package llm.generation;

import java.util.Arrays;
import java.util.function.IntConsumer;

import llm.attention.KVCache;
import llm.autograd.Grad;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * Text generation (Book §4.7 {@code generate_text_simple}, §5.3 {@code generate}): run the model on the last
 * {@code contextSize} tokens, choose the next token from the last position's logits, append it, repeat.
 * Runs without recording a graph. A {@link KVCache} keeps each token's keys and values, so a step computes only
 * the new token; past the context length the window slides and the cache is refilled.
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
     * {@code onToken} receives each new id as soon as it is chosen (to stream text). Uses a {@link KVCache}.
     */
    public static int[] generate(GPTModel model, int[] prompt, int maxNewTokens, int contextSize, SamplingOptions options, IntConsumer onToken) {
        return generate(model, prompt, maxNewTokens, contextSize, options, onToken, true);
    }

    /**
     * As above; {@code useCache = false} recomputes the whole window for every token (the book's loop, kept as
     * the reference the cached path is tested against).
     */
    public static int[] generate(GPTModel model, int[] prompt, int maxNewTokens, int contextSize, SamplingOptions options,
                                 IntConsumer onToken, boolean useCache) {
        int window = Math.min(contextSize, model.config().contextLength());
        Decoder decoder = useCache ? new ModelDecoder(model, window) : new WindowDecoder(model, window);
        return generate(decoder, prompt, maxNewTokens, options, onToken);
    }

    /**
     * The same loop on any {@link Decoder} (the CPU's {@link ModelDecoder}, or a device's): the prompt followed by
     * up to {@code maxNewTokens} ids, stopping before {@code eosId}; when the cache is full the window slides and
     * the cache is refilled with the last {@code window} tokens.
     */
    public static int[] generate(Decoder decoder, int[] prompt, int maxNewTokens, SamplingOptions options, IntConsumer onToken) {
        checkArguments(prompt, maxNewTokens);
        int window = decoder.window();
        SeededRandom rng = new SeededRandom(options.seed());
        // grown as tokens come: maxNewTokens may be huge ("until end-of-text"), and prompt + max may not fit an int
        int[] ids = Arrays.copyOf(prompt, prompt.length + Math.min(maxNewTokens, 1024));
        int n = prompt.length;
        float[] last = decoder.prefill(Arrays.copyOfRange(ids, Math.max(0, n - window), n));
        for (int step = 0; step < maxNewTokens; step++) {
            int next = NextToken.choose(last, options, rng);
            if (next == options.eosId()) break;
            if (n == ids.length) ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8, 2L * n));
            ids[n++] = next;
            onToken.accept(next);
            if (step == maxNewTokens - 1) break;
            // the window slides: every position changes, so the stored keys no longer apply
            last = decoder.length() == window ? decoder.prefill(Arrays.copyOfRange(ids, n - window, n)) : decoder.next(next);
        }
        return Arrays.copyOf(ids, n);
    }

    private static void checkArguments(int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty");
        if (maxNewTokens < 0) throw new IllegalArgumentException("generate: maxNewTokens must be >= 0, got " + maxNewTokens);
    }

    /**
     * A batch of prompts of equal length, generated together through one batched cache. Each row stops at its
     * own EOS (not appended); rows that stopped are still fed through the model, and their tokens discarded,
     * until every row has stopped or {@code maxNewTokens} are done. Row {@code r}'s sampling uses the generator
     * seeded with {@code seed + r}, so a row gets the same text as when generated alone.
     */
    public static int[][] generateBatch(GPTModel model, int[][] prompts, int maxNewTokens, int contextSize, SamplingOptions options) {
        int b = prompts.length;
        if (b == 0) throw new IllegalArgumentException("generateBatch: no prompts");
        int t = prompts[0].length;
        for (int r = 0; r < b; r++) {
            if (prompts[r].length != t) {
                throw new IllegalArgumentException("generateBatch: prompt " + r + " has " + prompts[r].length + " tokens, prompt 0 has " + t
                        + "; a batch needs prompts of equal length");
            }
        }
        if (t == 0) throw new IllegalArgumentException("generateBatch: the prompts are empty");
        if (maxNewTokens < 0 || (long) t + maxNewTokens > 1 << 24) {
            throw new IllegalArgumentException("generateBatch: maxNewTokens must be in 0.." + ((1 << 24) - t) + " for prompts of " + t + " tokens, got " + maxNewTokens);
        }
        int window = Math.min(contextSize, model.config().contextLength());
        SeededRandom[] rngs = new SeededRandom[b];
        for (int r = 0; r < b; r++) rngs[r] = new SeededRandom(options.seed() + r);
        int[][] rows = new int[b][];
        int[] lengths = new int[b];
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            rows[r] = Arrays.copyOf(prompts[r], t + maxNewTokens);
            lengths[r] = t;
        }
        int n = t; // tokens fed so far per row (stopped rows keep being fed)
        int[][] fed = new int[b][t + maxNewTokens];
        for (int r = 0; r < b; r++) System.arraycopy(prompts[r], 0, fed[r], 0, t);
        KVCache cache = model.newCache(b, window);
        try (var off = Grad.off()) {
            float[][] last = prefillBatch(model, cache, fed, n, window);
            for (int step = 0; step < maxNewTokens; step++) {
                int[] next = new int[b];
                boolean anyActive = false;
                for (int r = 0; r < b; r++) {
                    next[r] = NextToken.choose(last[r], options, rngs[r]);
                    if (done[r]) continue;
                    if (next[r] == options.eosId()) {
                        done[r] = true;
                        continue;
                    }
                    rows[r][lengths[r]++] = next[r];
                    anyActive = true;
                }
                for (int r = 0; r < b; r++) fed[r][n] = next[r];
                n++;
                if (!anyActive || step == maxNewTokens - 1) break;
                if (cache.length() == window) {
                    last = prefillBatch(model, cache, fed, n, window);
                } else {
                    last = rowsOf(model.forwardCached(IntNDArray.of(next, b, 1), cache).data(), b);
                }
            }
        }
        int[][] out = new int[b][];
        for (int r = 0; r < b; r++) out[r] = Arrays.copyOf(rows[r], lengths[r]);
        return out;
    }

    private static float[][] prefillBatch(GPTModel model, KVCache cache, int[][] fed, int n, int window) {
        cache.reset();
        int start = Math.max(0, n - window), len = n - start, b = fed.length;
        int[] flat = new int[b * len];
        for (int r = 0; r < b; r++) System.arraycopy(fed[r], start, flat, r * len, len);
        return rowsOf(model.forwardCached(IntNDArray.of(flat, b, len), cache).data(), b);
    }

    private static float[][] rowsOf(llm.tensor.NDArray logits, int b) {
        float[][] out = new float[b][];
        for (int r = 0; r < b; r++) out[r] = logits.select(0, r).toArray();
        return out;
    }
}
