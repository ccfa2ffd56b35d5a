package llm.attention;

import llm.tensor.NDArray;

/**
 * Keys and values of the tokens seen so far, one pair of pre-allocated arrays per transformer layer, so
 * that generating a token computes attention for that token alone instead of for the whole window again.
 * Each generation owns its cache, which is what makes generation with one shared model thread-safe.
 *
 * <p>Layout per layer: keys and values {@code (B, NH, maxTokens, HS)}; positions {@code [0, length())} are filled.
 */
public final class KVCache {
    private final NDArray[] keys, values;
    private final int batch, heads, headDim, maxTokens;
    private int length;

    public KVCache(int layers, int batch, int heads, int headDim, int maxTokens) {
        this.batch = batch;
        this.heads = heads;
        this.headDim = headDim;
        this.maxTokens = maxTokens;
        keys = new NDArray[layers];
        values = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = NDArray.zeros(batch, heads, maxTokens, headDim);
            values[l] = NDArray.zeros(batch, heads, maxTokens, headDim);
        }
    }

    /** Number of tokens whose keys and values are stored. */
    public int length() {
        return length;
    }

    public int capacity() {
        return maxTokens;
    }

    /** Forgets every stored token (the arrays are kept). */
    public void reset() {
        length = 0;
    }

    /** Counts {@code tokens} more as stored, once every layer has written them. */
    public void advance(int tokens) {
        if (length + tokens > maxTokens) throw new IllegalStateException("KVCache: " + (length + tokens) + " tokens exceed its " + maxTokens);
        length += tokens;
    }

    /** Writes the keys and values {@code (B, NH, T, HS)} of {@code T} new tokens of layer {@code layer} after the stored ones. */
    void write(int layer, NDArray newKeys, NDArray newValues) {
        int t = newKeys.dim(2);
        if (length + t > maxTokens) throw new IllegalStateException("KVCache: " + (length + t) + " tokens exceed its " + maxTokens);
        copyInto(keys[layer], newKeys.contiguous(), t);
        copyInto(values[layer], newValues.contiguous(), t);
    }

    private void copyInto(NDArray cache, NDArray src, int t) {
        float[] dst = cache.storage(), s = src.storage();
        int so = src.offset();
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int row = (b * heads + h);
                System.arraycopy(s, so + row * t * headDim, dst, (row * maxTokens + length) * headDim, t * headDim);
            }
        }
    }

    /** The stored keys of a layer plus {@code extra} just written: a view {@code (B, NH, length + extra, HS)}. */
    NDArray keys(int layer, int extra) {
        return keys[layer].narrow(2, 0, length + extra);
    }

    NDArray values(int layer, int extra) {
        return values[layer].narrow(2, 0, length + extra);
    }
}
