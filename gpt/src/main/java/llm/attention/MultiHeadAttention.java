package llm.attention;

import llm.autograd.Tensor;
import llm.nn.Dropout;
import llm.nn.Layer;
import llm.nn.Linear;
import llm.nn.Module;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * Multi-head attention with one projection for all heads, split by view and transpose, and an output
 * projection (Book §3.6.2, {@code MultiHeadAttention}). The same parameters as GPT-2's attention. The heads
 * run in {@link FusedCausalAttention}, which never stores the {@code T × T} scores and applies the dropout on the
 * attention weights itself; {@link #attendStepByStep} is the book's sequence of operations, the reference the
 * fused kernel is tested against ({@code -Dllm.attention.stepByStep=true} runs it instead).
 *
 * {@snippet :
 * var mha = new MultiHeadAttention(768, 768, 1024, 0.1f, 12, false, new SeededRandom(123));
 * Tensor context = mha.forward(x);   // (B, T, 768) -> (B, T, 768)
 * }
 */
public final class MultiHeadAttention extends Module implements Layer {
    final Linear wQuery, wKey, wValue, outProj;
    private final Dropout dropout;
    private final SeededRandom dropoutRng;
    private final NDArray mask;  // (context, context)
    private final int numHeads, headDim, dOut;
    private final float dropRate;
    /** {@code -Dllm.attention.stepByStep=true} always uses the step-by-step attention (to compare or to debug). */
    static final boolean FORCE_STEP_BY_STEP = Boolean.getBoolean("llm.attention.stepByStep");

    public MultiHeadAttention(int dIn, int dOut, int contextLength, float dropRate, int numHeads, boolean qkvBias, SeededRandom rng) {
        if (dOut % numHeads != 0) throw new IllegalArgumentException("MultiHeadAttention: d_out " + dOut + " is not divisible by " + numHeads + " heads");
        this.numHeads = numHeads;
        this.headDim = dOut / numHeads;
        this.dOut = dOut;
        this.dropRate = dropRate;
        wQuery = registerModule("W_query", new Linear(dIn, dOut, qkvBias, rng));
        wKey = registerModule("W_key", new Linear(dIn, dOut, qkvBias, rng));
        wValue = registerModule("W_value", new Linear(dIn, dOut, qkvBias, rng));
        outProj = registerModule("out_proj", new Linear(dOut, dOut, true, rng));
        dropout = registerModule("dropout", new Dropout(dropRate, rng));
        dropoutRng = rng;
        mask = CausalMask.of(contextLength);
    }

    /** {@code (B, T, d_in) -> (B, T, d_out)}. */
    @Override
    public Tensor forward(Tensor x) {
        int b = x.dim(0), t = x.dim(1);
        if (t > mask.dim(0)) throw new IllegalArgumentException("MultiHeadAttention: " + t + " tokens exceed the context length " + mask.dim(0));
        // (B, T, d_out) -> (B, T, NH, HS) -> (B, NH, T, HS)
        Tensor keys = wKey.forward(x).view(b, t, numHeads, headDim).transpose(1, 2);
        Tensor queries = wQuery.forward(x).view(b, t, numHeads, headDim).transpose(1, 2);
        Tensor values = wValue.forward(x).view(b, t, numHeads, headDim).transpose(1, 2);
        Tensor context = FORCE_STEP_BY_STEP ? attendStepByStep(queries, keys, values, t) // (B, NH, T, HS)
                : FusedCausalAttention.apply(queries, keys, values, isTraining() ? dropRate : 0f, dropoutRng);
        return outProj.forward(context.transpose(1, 2).contiguous().view(b, t, dOut)); // (B, T, NH, HS) -> (B, T, C)
    }

    /** The book's attention, one operation at a time: scores, mask, scale, softmax, dropout, weighted values. */
    Tensor attendStepByStep(Tensor queries, Tensor keys, Tensor values, int t) {
        Tensor scores = queries.matmul(keys.transpose(2, 3));                          // (B, NH, T, T)
        scores = scores.maskedFill(mask.narrow(0, 0, t).narrow(1, 0, t), Float.NEGATIVE_INFINITY);
        Tensor weights = dropout.forward(scores.div((float) Math.sqrt(headDim)).softmax(-1));
        return weights.matmul(values);                                                  // (B, NH, T, HS)
    }

    /**
     * Attention for {@code T} new tokens that follow the {@code cache.length()} tokens in {@code cache} (for
     * generation, without gradients): their keys and values are added to layer {@code layer} of the cache, and
     * each new token attends to every stored token and the new ones up to itself. {@code (B, T, d_in) -> (B, T, d_out)}.
     */
    public Tensor forwardCached(Tensor x, KVCache cache, int layer) {
        int b = x.dim(0), t = x.dim(1), past = cache.length();
        Tensor queries = wQuery.forward(x).view(b, t, numHeads, headDim).transpose(1, 2);   // (B, NH, T, HS)
        NDArray newKeys = wKey.forward(x).data().view(b, t, numHeads, headDim).transpose(1, 2);
        NDArray newValues = wValue.forward(x).data().view(b, t, numHeads, headDim).transpose(1, 2);
        cache.write(layer, newKeys, newValues);
        int total = past + t;
        Tensor keys = Tensor.constant(cache.keys(layer, t)), values = Tensor.constant(cache.values(layer, t)); // (B, NH, L, HS)
        Tensor scores = queries.matmul(keys.transpose(2, 3));                                 // (B, NH, T, L)
        // new token i sits at position past + i: the full mask's row past + i hides keys after it
        scores = scores.maskedFill(CausalMask.rows(past, t, total), Float.NEGATIVE_INFINITY);
        Tensor weights = scores.div((float) Math.sqrt(headDim)).softmax(-1);
        Tensor context = weights.matmul(values).transpose(1, 2);                              // (B, T, NH, HS)
        return outProj.forward(context.contiguous().view(b, t, dOut));
    }

    public int numHeads() {
        return numHeads;
    }

    public int headDim() {
        return headDim;
    }
}
