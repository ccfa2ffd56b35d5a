package llm.generation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.DotKernels;
import llm.tensor.GeluKernels;
import llm.tensor.LayerNormKernels;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.RowMatrix;
import llm.tensor.SoftmaxKernels;
import llm.tensor.Vectorization;
import llm.tensor.WeightFormat;

/**
 * GPT-2's forward pass for one token at a time (Book §4.6's model, §4.7's loop, with a KV cache), written as
 * llama2.c and llama3.java write it: plain arrays, one matrix-vector product per weight matrix, the weights stored in
 * a {@link WeightFormat} of the caller's choice. At batch 1 every weight is read once per token and used for one
 * multiply-add, so a token takes as long as reading the weights from memory; bf16 halves that read and int8
 * quarters it, at the price of rounding each weight (see {@code docs/generation-speed.md} for the measured speed and
 * the loss each format costs).
 *
 * <p>The same step as {@code GPTModel.forwardCached}, which goes through autograd's tensors and the general matrix
 * multiply: token and position embeddings; per block LayerNorm, the query, key and value projections (one matrix of
 * their three stacked), the key and value stored at the token's position, causal attention over the cache, the
 * output projection and a residual, LayerNorm, the MLP with GELU and a residual; the final LayerNorm and the head.
 * The weights are taken from the model when the decoder is built: build another after they change.
 */
public final class MatVecDecoder extends TokenByTokenDecoder {
    private static final float EPS = 1e-5f;
    /** Cached keys times width below which attention runs on the calling thread alone. */
    private static final long ATTEND_ALONE = 1L << 16;
    private static final int LANES = Vectorization.SPECIES.length();

    /** One transformer block's weights: matrices in the chosen format, LayerNorm parameters and biases as floats. */
    private record Block(float[] ln1Scale, float[] ln1Shift, RowMatrix qkv, float[] qkvBias, RowMatrix proj, float[] projBias,
                         float[] ln2Scale, float[] ln2Shift, RowMatrix fc, float[] fcBias, RowMatrix fcProj, float[] fcProjBias) {}

    private final GPTConfig cfg;
    private final WeightFormat format;
    private final Parallelism par;
    private final int c, heads, headDim, scoreStride;
    private final float[] tokEmb, posEmb;          // (V, C), (context, C): one row of each is read per token
    private final int tokEmbAt, posEmbAt;
    private final Block[] blocks;
    private final float[] lnfScale, lnfShift;
    private final RowMatrix head;
    private final float[] headBias;                // a classifier's head may have one; GPT-2's has not
    private final float[][] keys, values;          // per block (window, C): token t's key for head h at t·C + h·HS
    private final float[] x, ln, qkv, att, proj, fc, scores, logits, mean = new float[1], rstd = new float[1];

    /** A decoder of {@code model} with its matrices in {@code format}, a cache of {@code window} tokens, all threads. */
    public MatVecDecoder(GPTModel model, int window, WeightFormat format) {
        this(model, window, format, Parallelism.DEFAULT);
    }

    /** The same on {@code par}'s threads. */
    public MatVecDecoder(GPTModel model, int window, WeightFormat format, Parallelism par) {
        super(Math.min(window, model.config().contextLength()), model.config().vocabSize());
        Map<String, NDArray> w = model.stateDict();
        for (String name : w.keySet()) {
            if (name.contains(".lora.")) {
                throw new IllegalArgumentException("MatVecDecoder: the model carries a LoRA adapter (" + name
                        + "); merge it into the weights first (LinearWithLoRA.mergeAll)");
            }
        }
        this.cfg = model.config();
        this.format = format;
        this.par = par;
        this.c = cfg.embDim();
        this.heads = cfg.nHeads();
        this.headDim = c / heads;
        NDArray te = w.get("tok_emb.weight").contiguous(), pe = w.get("pos_emb.weight").contiguous();
        tokEmb = te.storage();
        tokEmbAt = te.offset();
        posEmb = pe.storage();
        posEmbAt = pe.offset();
        blocks = new Block[cfg.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "trf_blocks." + l + ".";
            NDArray q = w.get(p + "att.W_query.weight"), k = w.get(p + "att.W_key.weight"), v = w.get(p + "att.W_value.weight");
            float[] qkvBias = cfg.qkvBias()
                    ? NDArray.concat(List.of(w.get(p + "att.W_query.bias"), w.get(p + "att.W_key.bias"), w.get(p + "att.W_value.bias")), 0).toArray()
                    : null;
            blocks[l] = new Block(w.get(p + "norm1.scale").toArray(), w.get(p + "norm1.shift").toArray(),
                    matrix(NDArray.concat(List.of(q, k, v), 0)), qkvBias,
                    matrix(w.get(p + "att.out_proj.weight")), w.get(p + "att.out_proj.bias").toArray(),
                    w.get(p + "norm2.scale").toArray(), w.get(p + "norm2.shift").toArray(),
                    matrix(w.get(p + "ff.layers.0.weight")), w.get(p + "ff.layers.0.bias").toArray(),
                    matrix(w.get(p + "ff.layers.2.weight")), w.get(p + "ff.layers.2.bias").toArray());
        }
        lnfScale = w.get("final_norm.scale").toArray();
        lnfShift = w.get("final_norm.shift").toArray();
        head = matrix(model.outHead().weight.data());
        headBias = model.outHead().bias == null ? null : model.outHead().bias.data().toArray();
        keys = new float[blocks.length][window() * c];
        values = new float[blocks.length][window() * c];
        x = new float[c];
        ln = new float[c];
        qkv = new float[3 * c];
        att = new float[c];
        proj = new float[c];
        fc = new float[4 * c];
        scoreStride = (window() + LANES - 1) / LANES * LANES;
        scores = new float[heads * scoreStride];
        logits = new float[head.rows()];
    }

    private RowMatrix matrix(NDArray weight) {
        NDArray m = weight.contiguous();
        return format.store(m.storage(), m.offset(), m.dim(0), m.dim(1));
    }

    /** Bytes of weights read per token: every matrix once, plus one row of each embedding. */
    public long weightBytesPerToken() {
        long bytes = head.bytes() + 8L * c;
        for (Block b : blocks) bytes += b.qkv.bytes() + b.proj.bytes() + b.fc.bytes() + b.fcProj.bytes();
        return bytes;
    }

    @Override
    protected float[] step(int token, int pos) {
        for (int i = 0; i < c; i++) x[i] = tokEmb[tokEmbAt + token * c + i] + posEmb[posEmbAt + pos * c + i];
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            LayerNormKernels.forward(x, 0, b.ln1Scale, b.ln1Shift, EPS, ln, mean, rstd, 1, c, Parallelism.SINGLE);
            b.qkv.matVec(ln, 0, qkv, 0, par);
            if (b.qkvBias != null) addInPlace(qkv, b.qkvBias);
            System.arraycopy(qkv, c, keys[l], pos * c, c);
            System.arraycopy(qkv, 2 * c, values[l], pos * c, c);
            attend(l, pos);
            b.proj.matVec(att, 0, proj, 0, par);
            addInPlace(proj, b.projBias);
            addInPlace(x, proj);
            LayerNormKernels.forward(x, 0, b.ln2Scale, b.ln2Shift, EPS, ln, mean, rstd, 1, c, Parallelism.SINGLE);
            b.fc.matVec(ln, 0, fc, 0, par);
            addInPlace(fc, b.fcBias);
            GeluKernels.forward(fc, 0, fc, 0, fc.length);
            b.fcProj.matVec(fc, 0, proj, 0, par);
            addInPlace(proj, b.fcProjBias);
            addInPlace(x, proj);
        }
        LayerNormKernels.forward(x, 0, lnfScale, lnfShift, EPS, ln, mean, rstd, 1, c, Parallelism.SINGLE);
        head.matVec(ln, 0, logits, 0, par);
        if (headBias != null) addInPlace(logits, headBias);
        return logits.clone();
    }

    /**
     * Causal attention of the token at {@code pos} over the cached tokens {@code 0..pos} of block {@code l}: scores
     * {@code q·k_t / sqrt(HS)} per head, softmax, then the scores' sum of the values.
     *
     * <p>The cache is walked a cached token at a time, every head of it together, rather than head by head: by the
     * time a block's attention runs, its cache has been pushed out of the caches by the block weights streamed since
     * the last token, and a head at a time read each row of it twelve times, 256 bytes at 3 KB strides. Read in order,
     * the row is one stream the prefetchers follow. Measured on GPT-2 124M, one thread, 32 against 512 generated
     * tokens: each cached token added about 22 µs to a token's time head by head, about 4 µs row by row (45-48
     * tokens/s instead of 37-40 at 512). Threads take shares of the cached tokens for the scores and shares of the
     * heads (each a contiguous slice of every row) for the values.
     */
    private void attend(int l, int pos) {
        float[] k = keys[l], v = values[l];
        float scale = (float) Math.sqrt(headDim);
        int n = pos + 1;
        // a short cache is a few microseconds of work, less than waking a helper for it
        Parallelism on = (long) n * c < ATTEND_ALONE ? Parallelism.SINGLE : par;
        int tasks = on.threads(), perTask = (n + tasks - 1) / tasks;
        on.forEach(tasks, task -> {
            for (int t = task * perTask, end = Math.min(n, t + perTask); t < end; t++) {
                for (int h = 0, q = 0; h < heads; h++, q += headDim) {
                    scores[h * scoreStride + t] = DotKernels.dot(qkv, q, k, t * c + q, headDim) / scale;
                }
            }
        });
        int headsPerTask = (heads + tasks - 1) / tasks;
        on.forEach(tasks, task -> {
            int h0 = task * headsPerTask, h1 = Math.min(heads, h0 + headsPerTask);
            for (int h = h0; h < h1; h++) {
                int s = h * scoreStride;
                if (Vectorization.ENABLED) {
                    // whole vectors of scores, the padding -inf (a weight of 0): with fewer scores than lanes, as on
                    // the first tokens, the softmax's vector loop would stay cold when the JIT compiles it, and its
                    // Vector API calls then ran as plain Java for the rest of the run (4-6% of a bf16 token)
                    int padded = (n + LANES - 1) / LANES * LANES;
                    Arrays.fill(scores, s + n, s + padded, Float.NEGATIVE_INFINITY);
                    SoftmaxKernels.softmaxVector(scores, s, scores, s, padded);
                } else {
                    SoftmaxKernels.softmaxScalar(scores, s, scores, s, n);
                }
            }
            if (h0 >= h1) return;
            Arrays.fill(att, h0 * headDim, h1 * headDim, 0f);
            for (int t = 0; t < n; t++) {
                for (int h = h0, q = h0 * headDim; h < h1; h++, q += headDim) {
                    DotKernels.axpy(scores[h * scoreStride + t], v, t * c + q, att, q, headDim);
                }
            }
        });
    }

    private static void addInPlace(float[] y, float[] b) {
        for (int i = 0; i < b.length; i++) y[i] += b[i];
    }
}
