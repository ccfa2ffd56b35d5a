package llm.generation;

import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tensor.TopK;

/**
 * Picks one token from a row of logits (Book §5.3.1-5.3.3): argmax, or temperature scaling, top-k and top-p
 * (nucleus) filtering, then a draw from the softmax.
 */
public final class NextToken {
    private NextToken() {}

    /** The token id for one row of logits {@code (V)}. */
    public static int choose(float[] logits, SamplingOptions o, SeededRandom rng) {
        if (o.temperature() == 0f) return argmax(logits);
        float[] scaled = logits.clone();
        if (o.topK() > 0 && o.topK() < scaled.length) {
            // keep the k largest: everything below the k-th largest becomes -inf (the book's top-k masking)
            TopK top = NDArray.of(logits, logits.length).topk(o.topK(), 0);
            float kth = top.values().get(o.topK() - 1);
            for (int i = 0; i < scaled.length; i++) if (scaled[i] < kth) scaled[i] = Float.NEGATIVE_INFINITY;
        }
        for (int i = 0; i < scaled.length; i++) scaled[i] /= o.temperature();
        float[] probs = NDArray.of(scaled, scaled.length).softmax(0).toArray();
        if (o.topP() < 1f) nucleus(probs, o.topP());
        return draw(probs, rng);
    }

    /** The first index of the largest logit. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Zeroes every probability outside the smallest most-likely set whose sum reaches {@code p}. */
    static void nucleus(float[] probs, float p) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        double sum = 0;
        int keep = 0;
        while (keep < order.length && sum < p) sum += probs[order[keep++]];
        for (int i = keep; i < order.length; i++) probs[order[i]] = 0f;
    }

    private static int draw(float[] probs, SeededRandom rng) {
        double total = 0;
        for (float q : probs) total += q;
        double u = rng.nextDouble() * total, run = 0;
        int last = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] <= 0) continue;
            run += probs[i];
            last = i;
            if (u < run) return i;
        }
        return last;
    }
}
