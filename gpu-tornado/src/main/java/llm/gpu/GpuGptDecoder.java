package llm.gpu;

import java.util.Arrays;
import java.util.stream.Stream;

import llm.generation.TokenByTokenDecoder;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Generation on the device with a KV cache (Book §4.7, §5.3): the weights (checkpoints made here, or OpenAI's GPT-2
 * files loaded by {@code GPTCheckpoints}; a tied head reads the token embedding), the cache of every block's keys
 * and values and one token's activations live on the device; a {@link GraphChain} runs, per token, the embeddings,
 * then each block (LayerNorm, the three projections, the key and value stored at the token's position, attention
 * over the cache, the output projection, the MLP and both residuals) and the head. Only the token and its position
 * go in and the logits come out; {@code Generator.generate(Decoder, ...)} samples from them exactly as on the CPU.
 * The prompt is fed one token at a time.
 *
 * <p>The matrices can be read in fewer bytes ({@link DeviceWeights}: fp16, or int8 with a scale per row), as
 * {@code MatVecDecoder} does on the CPU; the logits are then those of the same model with its matrices rounded that way.
 */
public final class GpuGptDecoder extends TokenByTokenDecoder {
    /** Blocks per TaskGraph: each block adds about a hundred nodes to TornadoVM's graph of at most 1,024. */
    static final int BLOCKS_PER_GRAPH = 4;

    private final GPTConfig cfg;
    private final IntArray state = new IntArray(2);
    private final FloatArray logits;
    private final GraphChain chain;
    private final String weights;
    private boolean compiled;                     // the first token has run: TornadoVM built every kernel

    /** Copies {@code model}'s weights to the device, with room for {@code window} cached tokens (at most the context length). */
    public GpuGptDecoder(GPTModel model, int window) {
        this(model, window, "fp32");
    }

    /** The same, the matrices read in {@code weights}: one of {@link DeviceWeights#FORMATS}. */
    public GpuGptDecoder(GPTModel model, int window, String weights) {
        super(Math.min(window, model.config().contextLength()), model.config().vocabSize());
        this.cfg = model.config();
        int c = cfg.embDim(), h = cfg.nHeads(), hs = c / h, v = cfg.vocabSize(), layers = cfg.nLayers();
        PackedParameters layout = new PackedParameters(model);
        FloatArray params = FloatArray.fromArray(layout.pack(model));
        DeviceWeights matrices = DeviceWeights.of(weights, model, layout, params);
        this.weights = weights;
        ActivationArena arena = new ActivationArena();
        int x = arena.take(c), ln = arena.take(c), q = arena.take(c), k = arena.take(c), val = arena.take(c), att = arena.take(c);
        int proj = arena.take(c), stats = arena.take(2), fc = arena.take(4L * c), gelu = arena.take(4L * c);
        FloatArray acts = new FloatArray(arena.size());
        acts.init(0f);
        long perCache = (long) window() * c;
        if (2 * perCache * layers > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a KV cache of " + window() + " tokens does not fit one device array");
        FloatArray cache = new FloatArray((int) (2 * perCache * layers));
        cache.init(0f);
        logits = new FloatArray(v);
        float scale = (float) (1.0 / Math.sqrt(hs));

        chain = new GraphChain("decode", Stream.concat(Arrays.stream(matrices.arrays()), Stream.of(acts, cache)).toArray(TornadoNativeArray[]::new));
        chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, state)
                .task("emb", DecodeKernels::embed, params, layout.at("tok_emb.weight"), layout.at("pos_emb.weight"), state, acts, x, c);
        TaskGraph g = null;
        for (int l = 0; l < layers; l++) {
            if (l % BLOCKS_PER_GRAPH == 0) g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, state);
            String pre = "trf_blocks." + l + ".", id = "_" + l;
            int kAt = (int) (2 * perCache * l), vAt = (int) (kAt + perCache);
            g.task("ln1" + id, RowKernels::layerNormForward, acts, x, ln, stats, stats + 1, params, layout.at(pre + "norm1.scale"),
                    layout.at(pre + "norm1.shift"), 1, c, 1e-5f);
            linear(g, "q" + id, acts, ln, matrices, pre + "att.W_query", q, c, c, cfg.qkvBias());
            linear(g, "k" + id, acts, ln, matrices, pre + "att.W_key", k, c, c, cfg.qkvBias());
            linear(g, "v" + id, acts, ln, matrices, pre + "att.W_value", val, c, c, cfg.qkvBias());
            g.task("kv" + id, DecodeKernels::store, acts, k, val, state, cache, kAt, vAt, c)
                    .task("att" + id, DecodeKernels::attend, acts, q, att, cache, kAt, vAt, state, h, hs, scale);
            linear(g, "o" + id, acts, att, matrices, pre + "att.out_proj", proj, c, c, true);
            g.task("r1" + id, ElementwiseKernels::addInPlace, acts, x, proj, c)
                    .task("ln2" + id, RowKernels::layerNormForward, acts, x, ln, stats, stats + 1, params, layout.at(pre + "norm2.scale"),
                            layout.at(pre + "norm2.shift"), 1, c, 1e-5f);
            linear(g, "fc" + id, acts, ln, matrices, pre + "ff.layers.0", fc, 4 * c, c, true);
            g.task("gelu" + id, ElementwiseKernels::geluForward, acts, fc, gelu, 4 * c);
            linear(g, "pr" + id, acts, gelu, matrices, pre + "ff.layers.2", proj, c, 4 * c, true);
            g.task("r2" + id, ElementwiseKernels::addInPlace, acts, x, proj, c);
        }
        g = chain.next().task("lnf", RowKernels::layerNormForward, acts, x, ln, stats, stats + 1, params, layout.at("final_norm.scale"),
                layout.at("final_norm.shift"), 1, c, 1e-5f);
        matrices.matVec(g, "head", DeviceWeights.HEAD, acts, ln, logits, 0, v, c);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, logits);
        chain.build();
    }

    /** {@code acts[out] = W · acts[in] (+ bias)} for the linear layer {@code prefix} {@code (inDim) -> (outDim)}. */
    private static void linear(TaskGraph g, String name, FloatArray acts, int in, DeviceWeights matrices, String prefix, int out,
                               int outDim, int inDim, boolean bias) {
        matrices.matVec(g, name, prefix + ".weight", acts, in, acts, out, outDim, inDim);
        if (bias) g.task("b" + name, ElementwiseKernels::addBias, acts, out, matrices.params, matrices.layout.at(prefix + ".bias"), 1, outDim);
    }

    @Override
    protected float[] step(int token, int position) {
        state.set(0, token);
        state.set(1, position);
        try {
            chain.run(1, chain.currentIndex());
            compiled = true;
        } catch (RuntimeException e) {
            // TornadoVM compiles the kernels on the first token; a device without 16-bit floats cannot build fp16's
            if (weights.equals("fp16") && !compiled) {
                throw new IllegalArgumentException("this device could not build the fp16 kernels (16-bit floats need OpenCL's cl_khr_fp16 or PTX; "
                        + "PoCL's CPU device has neither): use --weights fp32 or int8", e);
            }
            throw e;
        }
        return logits.toHeapArray();
    }

    /** Frees the device's memory. */
    public void close() {
        chain.close();
    }
}
