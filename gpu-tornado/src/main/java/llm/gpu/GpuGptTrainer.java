package llm.gpu;

import java.util.Map;

import llm.device.DeviceTrainer;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * A device-resident GPT training step, as llm.c's CUDA trainer does it (Book §5.2, Appendix D): the parameters,
 * their gradients, AdamW's moments and every activation the backward needs live on the device, each kind packed in
 * one array ({@link PackedParameters}, {@link ActivationArena}); a {@link GraphChain} of TaskGraphs runs the
 * forward pass (a graph per block), the head and the cross-entropy with its gradient, the backward pass (a graph per
 * block) and the embeddings' gradients, then gradient-norm clipping and AdamW; only the batch's token ids and
 * targets go in, with the step's AdamW scalars, and the loss and the gradient norm come out. A tied head (GPT-2's)
 * adds its gradient to the token embedding's. Targets of -100 do not count (instruction fine-tuning's padding).
 *
 * <p>The head is the model's own: GPT-2's over the vocabulary, or a classifier's with a bias over a few classes (Book
 * chapter 6, whose loss is the last token's: every other target -100). Frozen parameters (those that require no
 * gradient, as §6.5 freezes all but the last block) are left as they are: the backward pass stops at the lowest block
 * with a parameter that trains, their gradients are zeroed before the norm is taken, and AdamW runs only over the runs
 * of parameters that train, as the CPU's AdamW skips a parameter without a gradient.
 *
 * <p>A step comes in two halves, so that losses other than a mean over tokens train here too: {@link #tokenLosses}
 * runs the forward pass and returns each position's {@code -log p}, and {@link #update} runs the backward pass from a
 * weight per position (DPO weighs each response's positions by how its log-probability moves the loss). For a head
 * with few outputs (a reward model's score) {@link #headOutputs} returns the outputs themselves and
 * {@link #updateFromOutputs} starts the backward pass from their gradients. A model of which nothing trains (DPO's
 * frozen reference) gets the forward graphs alone, and no gradients or moments on the device.
 *
 * <p>Dropout, when the model has a rate: the masks after the embeddings, on the attention weights and on both
 * shortcuts of every block are drawn on the device, each element from SplitMix64's counter form
 * ({@code SeededRandom.floatAt}), from the states the model's own generator would have started each mask at on the
 * CPU, and the generator is moved past them as the CPU's forward pass would move it. So the device drops exactly the
 * elements the CPU would, and a checkpoint's generator state carries on from there. The backward draws each mask
 * again instead of keeping it. {@link #loss} runs the same graphs with a rate of 0.
 *
 * <p>Run with {@code -Dtornado.tvm.maxbytecodesize=1048576}: a block's graph outgrows TornadoVM's default 4 KB of
 * its own bytecode.
 */
public final class GpuGptTrainer implements DeviceTrainer {
    /** AdamW's betas and epsilon: PyTorch's defaults, as {@code llm.optim.AdamW}. */
    static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final GPTConfig cfg;
    private final int b, t, n;
    private final int classes;                                 // rows of the head: the vocabulary, or a classifier's classes
    private final double weightDecay;
    private final PackedParameters layout;
    private final FloatArray params, grads, acts, moments1, moments2, adamScalars, norm, losses, evalLosses, lossScale;
    private final SeededRandom dropoutRng;                     // the model's: every dropout layer draws from it
    private final LongArray dropStarts;                        // each mask's first state: embeddings, then attention, shortcut, shortcut per block
    private final FloatArray dropRate;                         // the rate and 1/(1 - rate) of this run: the model's for a step, 0 and 1 for loss()
    private final IntArray ids, targets;
    private final GraphChain chain;
    private final int lastForward, headForward, evalGraph;
    private final boolean trains;                              // false: nothing trains, the model runs forward only
    private final int updateGraph;                             // the graph with AdamW, whose results hold the parameters (-1: none)
    private final int outputsForward, outputsBackward;         // a small head's graphs (-1 for a language model's)
    private final FloatArray headOut, dHeadOut;                // a small head's outputs and their gradients
    private Begun begun = Begun.NOTHING;                       // which forward pass a step's update completes
    private final KernelContext ctx = new KernelContext();
    private final boolean blockedMatmul;
    private long step;

    /** Where a block's forward activations sit in {@link #acts}. */
    private record Block(int xIn, int ln1, int stats1, int qh, int kh, int vh, int ah, int lse, int att, int xMid, int ln2, int stats2,
                         int fc, int gelu, int xOut) {}

    /** The forward pass a step has begun with, which its update must complete. */
    private enum Begun { NOTHING, TOKEN_LOSSES, HEAD_OUTPUTS }

    /** Scratch regions, reused by every block. */
    private record Scratch(int q, int k, int v, int proj, int dx, int dtmp, int dln, int dfc, int dgelu, int dq, int dk, int dv, int dah,
                           int dqh, int dkh, int dvh, int p, int ds) {}

    /**
     * Copies {@code model}'s parameters to the device and builds the graphs for batches of {@code b} sequences of
     * {@code t} tokens, its products by the kernel {@code -Dllm.gpu.matmul} names ({@link MatMulKernel#BLOCKED}).
     */
    public GpuGptTrainer(GPTModel model, int b, int t, double weightDecay) {
        this(model, b, t, weightDecay, MatMulKernel.BLOCKED);
    }

    /** The same, its products by {@link MatMulKernel#matmulBlocked} when {@code blockedMatmul}, else {@link MatMulKernel#matmul}. */
    GpuGptTrainer(GPTModel model, int b, int t, double weightDecay, boolean blockedMatmul) {
        this.blockedMatmul = blockedMatmul;
        this.cfg = model.config();
        if (t > cfg.contextLength()) throw new IllegalArgumentException("sequences of " + t + " tokens exceed the context length " + cfg.contextLength());
        this.b = b;
        this.t = t;
        this.n = b * t;
        this.weightDecay = weightDecay;
        int c = cfg.embDim(), h = cfg.nHeads(), hs = c / h, layers = cfg.nLayers();
        layout = new PackedParameters(model);
        this.classes = model.outHead().weight.data().dim(0);
        int v = classes;
        params = FloatArray.fromArray(layout.pack(model));
        // a model of which nothing trains (DPO's frozen reference) runs forward only: no gradients, no moments
        trains = !layout.runs(true).isEmpty();
        int perParameter = trains ? layout.total() : 1;
        grads = zeros(perParameter);
        moments1 = zeros(perParameter);
        moments2 = zeros(perParameter);
        adamScalars = zeros(7);
        norm = zeros(3);
        losses = zeros(n);
        evalLosses = zeros(n);
        lossScale = zeros(n);
        ids = new IntArray(n);
        targets = new IntArray(n);
        dropoutRng = model.random();
        dropStarts = new LongArray(1 + 3 * cfg.nLayers());
        dropStarts.init(0L);
        dropRate = zeros(2);
        boolean dropout = cfg.dropRate() > 0f;

        ActivationArena arena = new ActivationArena();
        long nc = (long) n * c;
        Block[] blocks = new Block[layers];
        int x = arena.take(nc);
        for (int l = 0; l < layers; l++) {
            blocks[l] = new Block(x, arena.take(nc), arena.take(2L * n), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc),
                    arena.take((long) b * h * t), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(2L * n), arena.take(4 * nc),
                    arena.take(4 * nc), arena.take(nc));
            x = blocks[l].xOut;
        }
        long tt = (long) b * h * t * t;
        Scratch s = new Scratch(arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc),
                arena.take(4 * nc), arena.take(4 * nc), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc), arena.take(nc),
                arena.take(nc), arena.take(nc), arena.take(tt), arena.take(tt));
        int lnf = arena.take(nc), statsf = arena.take(2L * n), logits = arena.take((long) n * v);
        acts = zeros(arena.size());

        chain = new GraphChain("step", params, grads, acts);
        float scale = (float) (1.0 / Math.sqrt(hs));
        // ---- forward: embeddings, then a graph per block
        TaskGraph g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, ids, dropStarts, dropRate);
        if (trains) g.task("zero", ElementwiseKernels::zero, grads, 0, layout.total());          // gradients are added to
        g.task("emb", EmbeddingKernel::forward, params, layout.at("tok_emb.weight"), ids, acts, blocks[0].xIn, n, c)
                .task("pos", HeadsKernels::addPositions, acts, blocks[0].xIn, params, layout.at("pos_emb.weight"), n, t, c);
        if (dropout) g.task("dropemb", ElementwiseKernels::dropout, acts, blocks[0].xIn, blocks[0].xIn, n * c, dropStarts, 0, dropRate);
        for (int l = 0; l < layers; l++) {
            g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, dropStarts, dropRate);
            String pre = "trf_blocks." + l + ".";
            Block k = blocks[l];
            g.task("ln1", RowKernels::layerNormForward, acts, k.xIn, k.ln1, k.stats1, k.stats1 + n, params, layout.at(pre + "norm1.scale"),
                    layout.at(pre + "norm1.shift"), n, c, 1e-5f);
            linear("q", k.ln1, pre + "att.W_query", s.q, n, c, c, cfg.qkvBias());
            linear("k", k.ln1, pre + "att.W_key", s.k, n, c, c, cfg.qkvBias());
            linear("v", k.ln1, pre + "att.W_value", s.v, n, c, c, cfg.qkvBias());
            g.task("sq", HeadsKernels::split, acts, s.q, k.qh, b, t, h, hs).task("sk", HeadsKernels::split, acts, s.k, k.kh, b, t, h, hs)
                    .task("sv", HeadsKernels::split, acts, s.v, k.vh, b, t, h, hs)
                    .task("att", AttentionKernel::forward, acts, k.qh, k.kh, k.vh, k.ah, k.lse, b * h, t, hs, scale, dropStarts, 1 + 3 * l, dropRate)
                    .task("mh", HeadsKernels::merge, acts, k.ah, k.att, b, t, h, hs);
            linear("o", k.att, pre + "att.out_proj", s.proj, n, c, c, true);
            if (dropout) g.task("drop1", ElementwiseKernels::dropout, acts, s.proj, s.proj, n * c, dropStarts, 2 + 3 * l, dropRate);
            g.task("r1", ElementwiseKernels::add, acts, k.xIn, s.proj, k.xMid, n * c)
                    .task("ln2", RowKernels::layerNormForward, acts, k.xMid, k.ln2, k.stats2, k.stats2 + n, params, layout.at(pre + "norm2.scale"), layout.at(pre + "norm2.shift"), n, c, 1e-5f);
            linear("fc", k.ln2, pre + "ff.layers.0", k.fc, n, 4 * c, c, true);
            g.task("gelu", ElementwiseKernels::geluForward, acts, k.fc, k.gelu, n * 4 * c);
            linear("pr", k.gelu, pre + "ff.layers.2", s.proj, n, c, 4 * c, true);
            if (dropout) g.task("drop2", ElementwiseKernels::dropout, acts, s.proj, s.proj, n * c, dropStarts, 3 + 3 * l, dropRate);
            g.task("r2", ElementwiseKernels::add, acts, k.xMid, s.proj, k.xOut, n * c);
        }
        lastForward = chain.currentIndex();

        // ---- the head, the loss and its gradient
        int xLast = blocks[layers - 1].xOut;
        // (a graph of its own, so that a loss of whole sequences can weigh each row's gradient by the losses that come out)
        head(chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, targets), xLast, lnf, statsf, logits, losses, model.outHead().bias != null);
        chain.current().transferToHost(DataTransferMode.EVERY_EXECUTION, losses);
        headForward = chain.currentIndex();
        if (trains) {                                           // the backward pass, clipping and AdamW
            g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, targets, lossScale);
            g.task("dce", RowKernels::crossEntropyBackward, acts, logits, targets, n, v, lossScale);
            headBackward(g, xLast, lnf, statsf, logits, s.dln, s.dx, model.outHead().bias != null);

            // ---- backward, a graph per block, last block first, down to the lowest block that trains; dx holds the
            // gradient of the block's output
            boolean embeddingsTrain = layout.trains("tok_emb.weight") || layout.trains("pos_emb.weight");
            int lowest = embeddingsTrain ? 0 : layers;
            for (String name : layout.names()) {
                if (name.startsWith("trf_blocks.") && layout.trains(name)) lowest = Math.min(lowest, Integer.parseInt(name.split("\\.")[1]));
            }
            for (int l = layers - 1; l >= lowest; l--) {
                g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, dropStarts, dropRate);
                String pre = "trf_blocks." + l + ".";
                Block k = blocks[l];
                // second residual: dx flows to xMid and, through the shortcut's dropout, to the MLP's output
                int dMlp = s.dx;
                if (dropout) {
                    g.task("ddrop2", ElementwiseKernels::dropout, acts, s.dx, s.proj, n * c, dropStarts, 3 + 3 * l, dropRate);
                    dMlp = s.proj;                                  // the forward's scratch, free in the backward pass
                }
                linearBackward("2", dMlp, k.gelu, pre + "ff.layers.2", s.dgelu, n, c, 4 * c, true);
                g.task("dgelu", ElementwiseKernels::geluBackward, acts, k.fc, s.dgelu, s.dfc, n * 4 * c);
                linearBackward("1", s.dfc, k.ln2, pre + "ff.layers.0", s.dln, n, 4 * c, c, true);
                g.task("dln2x", RowKernels::layerNormBackwardInput, acts, k.xMid, s.dln, k.stats2, k.stats2 + n, s.dtmp, params, layout.at(pre + "norm2.scale"), n, c)
                        .task("dln2p", RowKernels::layerNormBackwardParams, acts, k.xMid, s.dln, k.stats2, k.stats2 + n, grads, layout.at(pre + "norm2.scale"), layout.at(pre + "norm2.shift"), n, c)
                        .task("dmid", ElementwiseKernels::addInPlace, acts, s.dx, s.dtmp, n * c);
                // first residual: dx (now the gradient of xMid) flows to xIn and, through the dropout, to the attention's output
                int dAtt = s.dx;
                if (dropout) {
                    g.task("ddrop1", ElementwiseKernels::dropout, acts, s.dx, s.proj, n * c, dropStarts, 2 + 3 * l, dropRate);
                    dAtt = s.proj;
                }
                linearBackward("o", dAtt, k.att, pre + "att.out_proj", s.dtmp, n, c, c, true);
                g.task("dah", HeadsKernels::split, acts, s.dtmp, s.dah, b, t, h, hs)
                        .task("das", AttentionKernel::backwardScores, acts, k.qh, k.kh, k.vh, k.lse, s.dah, s.p, s.ds, b * h, t, hs, scale, dropStarts, 1 + 3 * l, dropRate)
                        .task("daq", AttentionKernel::backwardQuery, acts, k.kh, s.ds, s.dqh, b * h, t, hs)
                        .task("dakv", AttentionKernel::backwardKeyValue, acts, k.qh, s.dah, s.p, s.ds, s.dkh, s.dvh, b * h, t, hs)
                        .task("dmq", HeadsKernels::merge, acts, s.dqh, s.dq, b, t, h, hs)
                        .task("dmk", HeadsKernels::merge, acts, s.dkh, s.dk, b, t, h, hs)
                        .task("dmv", HeadsKernels::merge, acts, s.dvh, s.dv, b, t, h, hs);
                linearBackward("q", s.dq, k.ln1, pre + "att.W_query", s.dln, n, c, c, cfg.qkvBias());
                linearBackward("k", s.dk, k.ln1, pre + "att.W_key", s.dtmp, n, c, c, cfg.qkvBias());
                g.task("dlqk", ElementwiseKernels::addInPlace, acts, s.dln, s.dtmp, n * c);
                linearBackward("v", s.dv, k.ln1, pre + "att.W_value", s.dtmp, n, c, c, cfg.qkvBias());
                g.task("dlqkv", ElementwiseKernels::addInPlace, acts, s.dln, s.dtmp, n * c)
                        .task("dln1x", RowKernels::layerNormBackwardInput, acts, k.xIn, s.dln, k.stats1, k.stats1 + n, s.dtmp, params, layout.at(pre + "norm1.scale"), n, c)
                        .task("dln1p", RowKernels::layerNormBackwardParams, acts, k.xIn, s.dln, k.stats1, k.stats1 + n, grads, layout.at(pre + "norm1.scale"), layout.at(pre + "norm1.shift"), n, c)
                        .task("din", ElementwiseKernels::addInPlace, acts, s.dx, s.dtmp, n * c);
            }

            // ---- the embeddings' gradients, clipping and AdamW
            int chunks = (layout.total() + ClipKernels.CHUNK - 1) / ClipKernels.CHUNK;
            FloatArray partial = zeros(chunks);
            g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, ids, adamScalars, norm, dropStarts, dropRate)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, moments1, moments2);
            if (embeddingsTrain) {
                if (dropout) g.task("ddropemb", ElementwiseKernels::dropout, acts, s.dx, s.dx, n * c, dropStarts, 0, dropRate);
                g.task("demb", EmbeddingKernel::backward, acts, s.dx, ids, grads, layout.at("tok_emb.weight"), n, c)
                        .task("dpos", ElementwiseKernels::positionGradient, acts, s.dx, grads, layout.at("pos_emb.weight"), b, t, c);
            }
            int run = 0;
            for (int[] frozen : layout.runs(false)) g.task("zf" + run++, ElementwiseKernels::zero, grads, frozen[0], frozen[1]);
            g.task("sq", ClipKernels::sumSquares, grads, partial, layout.total())
                    .task("norm", ClipKernels::normAndFactor, partial, norm, chunks)
                    .task("clip", ClipKernels::scale, grads, norm, layout.total());
            for (int[] span : layout.runs(true)) g.task("adamw" + run++, ElementwiseKernels::adamWStep, params, grads, moments1, moments2, span[0], span[1], adamScalars);
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, norm)
                    .transferToHost(DataTransferMode.UNDER_DEMAND, moments1, moments2);         // for checkpoints
            updateGraph = chain.currentIndex();
        } else {
            updateGraph = -1;
        }
        // ---- evaluation: after the forward graphs, the head and the loss alone
        head(chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, targets), xLast, lnf, statsf, logits, evalLosses, model.outHead().bias != null);
        evalGraph = chain.currentIndex();
        chain.current().transferToHost(DataTransferMode.EVERY_EXECUTION, evalLosses);
        // ---- a small head's outputs to the host and their gradients back (a reward model's score, Book §8.4): the
        // head's forward without the cross-entropy, then its backward from the gradients the host sends
        if (classes < cfg.vocabSize()) {
            headOut = zeros(n * classes);
            dHeadOut = zeros(n * classes);
            g = chain.next();
            headLogits(g, xLast, lnf, statsf, logits, model.outHead().bias != null);
            g.task("out", ElementwiseKernels::copy, acts, logits, headOut, 0, n * classes).transferToHost(DataTransferMode.EVERY_EXECUTION, headOut);
            outputsForward = chain.currentIndex();
            if (trains) {
                g = chain.next().transferToDevice(DataTransferMode.EVERY_EXECUTION, dHeadOut);
                g.task("in", ElementwiseKernels::copy, dHeadOut, 0, acts, logits, n * classes);
                headBackward(g, xLast, lnf, statsf, logits, s.dln, s.dx, model.outHead().bias != null);
            }
            outputsBackward = trains ? chain.currentIndex() : -1;
        } else {
            headOut = dHeadOut = null;
            outputsForward = outputsBackward = -1;
        }
        chain.build();
    }

    /** The final LayerNorm, the head's logits (and bias) and the cross-entropy (logits turned into probabilities in place). */
    private void head(TaskGraph g, int xLast, int lnf, int statsf, int logits, FloatArray lossesOut, boolean bias) {
        headLogits(g, xLast, lnf, statsf, logits, bias);
        g.task("ce", RowKernels::crossEntropyForward, acts, logits, targets, lossesOut, n, classes);
    }

    /** The final LayerNorm and the head's logits (and bias). */
    private void headLogits(TaskGraph g, int xLast, int lnf, int statsf, int logits, boolean bias) {
        int c = cfg.embDim(), v = classes;
        g.task("lnf", RowKernels::layerNormForward, acts, xLast, lnf, statsf, statsf + n, params, layout.at("final_norm.scale"), layout.at("final_norm.shift"), n, c, 1e-5f);
        mm("head", lnf, layout.head(), logits, n, v, c);
        if (bias) g.task("hb", ElementwiseKernels::addBias, acts, logits, params, layout.at("out_head.bias"), n, v);
    }

    /**
     * The head's and the final LayerNorm's backward from the logits' gradient (in place of the logits): the bias's,
     * the weight's (a tied head's written first: the embedding's backward adds to it at the end), the LayerNorm's
     * input gradient into {@code dx}.
     */
    private void headBackward(TaskGraph g, int xLast, int lnf, int statsf, int logits, int dln, int dx, boolean bias) {
        int c = cfg.embDim(), v = classes;
        if (bias) g.task("dhb", ElementwiseKernels::biasGradient, acts, logits, grads, layout.at("out_head.bias"), n, v);
        mmWeight("dhead", logits, lnf, layout.head(), n, v, c);
        mmInput("dlnf", logits, layout.head(), dln, n, v, c);
        g.task("dlnfx", RowKernels::layerNormBackwardInput, acts, xLast, dln, statsf, statsf + n, dx, params, layout.at("final_norm.scale"), n, c)
                .task("dlnfp", RowKernels::layerNormBackwardParams, acts, xLast, dln, statsf, statsf + n, grads, layout.at("final_norm.scale"),
                        layout.at("final_norm.shift"), n, c);
    }

    private void linear(String name, int in, String prefix, int out, int rows, int outDim, int inDim, boolean bias) {
        mm(name, in, layout.at(prefix + ".weight"), out, rows, outDim, inDim);
        if (bias) chain.current().task("b" + name, ElementwiseKernels::addBias, acts, out, params, layout.at(prefix + ".bias"), rows, outDim);
    }

    /**
     * A linear layer's backward: the weight's gradient written (each weight serves once per step), the bias's added to
     * its zeroed gradient, the input's gradient written to {@code dIn}.
     */
    private void linearBackward(String name, int dOut, int in, String prefix, int dIn, int rows, int outDim, int inDim, boolean bias) {
        mmWeight("dw" + name, dOut, in, layout.at(prefix + ".weight"), rows, outDim, inDim);
        if (bias) chain.current().task("db" + name, ElementwiseKernels::biasGradient, acts, dOut, grads, layout.at(prefix + ".bias"), rows, outDim);
        mmInput("dx" + name, dOut, layout.at(prefix + ".weight"), dIn, rows, outDim, inDim);
    }

    private static FloatArray zeros(int size) {
        FloatArray a = new FloatArray(size);
        a.init(0f);
        return a;
    }

    /** {@code acts[out] (M, N) = acts[in] (M, K) · params[w] (N, K)ᵀ}. */
    private void mm(String name, int in, int w, int out, int m, int n, int k) {
        int[] st = MatMulKernel.forward(m, n, k);
        product(name, acts, in, st[0], st[1], params, w, st[2], st[3], acts, out, m, n, k);
    }

    /** {@code grads[dw] (N, K) = acts[dy] (M, N)ᵀ · acts[x] (M, K)} for a layer {@code (M, K) -> (M, N)} (written). */
    private void mmWeight(String name, int dy, int x, int dw, int m, int n, int k) {
        int[] st = MatMulKernel.backwardWeight(m, n, k);
        product(name, acts, dy, st[0], st[1], acts, x, st[2], st[3], grads, dw, n, k, m);
    }

    /** {@code acts[dx] (M, K) = acts[dy] (M, N) · params[w] (N, K)}. */
    private void mmInput(String name, int dy, int w, int dx, int m, int n, int k) {
        int[] st = MatMulKernel.backwardInput(m, n, k);
        product(name, acts, dy, st[0], st[1], params, w, st[2], st[3], acts, dx, m, k, n);
    }

    /** {@code c[cOff..] (M, N) = A (M, K) · B (K, N)} with the given strides, by the matmul kernel this trainer uses. */
    private void product(String name, FloatArray a, int aOff, int aRs, int aCs, FloatArray b, int bOff, int bRs, int bCs, FloatArray c, int cOff,
                         int m, int n, int k) {
        if (blockedMatmul) {
            chain.current().task(name, MatMulKernel::matmulBlocked, ctx, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, m, n, k);
            chain.grid(name, MatMulKernel.gridBlocked(m, n));
        } else {
            chain.current().task(name, MatMulKernel::matmul, ctx, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, m, n, k);
            chain.grid(name, MatMulKernel.grid(m, n));
        }
    }

    /**
     * The forward pass of a step on {@code inputs} predicting {@code next} (both {@code B·T} ids), its dropout drawn:
     * each row's {@code -log p(next)}, 0 where the target is -100. {@link #update} completes the step.
     */
    @Override
    public float[] tokenLosses(int[] inputs, int[] next) {
        load(inputs, next);
        drawDropoutMasks();
        chain.run(1, headForward);
        begun = Begun.TOKEN_LOSSES;
        return losses.toHeapArray();
    }

    /**
     * The rest of the step {@link #tokenLosses} began: the backward pass from {@code weights} (the loss's derivative by
     * each row's {@code -log p}), the global gradient norm clipped to {@code clipNorm} (0: not clipped), and AdamW at
     * learning rate {@code lr} as {@code llm.optim.AdamW} with decay on every parameter that trains; the gradient norm
     * before clipping.
     */
    @Override
    public double update(float[] weights, double lr, double clipNorm) {
        if (!trains) throw new IllegalStateException("no parameter of this model trains: its device model runs forward only");
        if (begun != Begun.TOKEN_LOSSES) throw new IllegalStateException("update completes a step that tokenLosses began");
        if (weights.length != n) throw new IllegalArgumentException("the step has " + n + " rows, got " + weights.length + " weights");
        begun = Begun.NOTHING;
        for (int i = 0; i < n; i++) lossScale.set(i, weights[i]);
        setAdamW(lr, clipNorm);
        chain.run(headForward + 1, updateGraph);
        return norm.get(0);
    }

    /**
     * The forward pass of a step for a small head (a reward model's one score), its dropout drawn: the head's
     * {@code classes} outputs at each of the {@code B·T} positions. {@link #updateFromOutputs} completes the step.
     */
    @Override
    public float[] headOutputs(int[] inputs) {
        if (outputsForward < 0) throw new IllegalStateException("this model's head gives " + classes + " outputs a position, a language model's: use tokenLosses");
        loadIds(inputs);
        drawDropoutMasks();
        chain.run(1, lastForward);
        chain.run(outputsForward, outputsForward);
        begun = Begun.HEAD_OUTPUTS;
        return headOut.toHeapArray();
    }

    /** Completes the step {@link #headOutputs} began from the loss's gradient by each output; as {@link #update} otherwise. */
    @Override
    public double updateFromOutputs(float[] gradients, double lr, double clipNorm) {
        if (!trains) throw new IllegalStateException("no parameter of this model trains: its device model runs forward only");
        if (begun != Begun.HEAD_OUTPUTS) throw new IllegalStateException("updateFromOutputs completes a step that headOutputs began");
        if (gradients.length != n * classes) throw new IllegalArgumentException("the step has " + n * classes + " outputs, got " + gradients.length + " gradients");
        begun = Begun.NOTHING;
        for (int i = 0; i < gradients.length; i++) dHeadOut.set(i, gradients[i]);
        setAdamW(lr, clipNorm);
        chain.run(outputsBackward, outputsBackward);
        chain.run(headForward + 2, updateGraph);
        return norm.get(0);
    }

    /** The step's AdamW scalars at learning rate {@code lr} and the clipping bound, counting the step. */
    private void setAdamW(double lr, double clipNorm) {
        step++;
        norm.set(2, clipNorm > 0 ? (float) clipNorm : Float.MAX_VALUE);           // no clipping: the factor is 1
        adamScalars.set(0, (float) (1 - lr * weightDecay));
        adamScalars.set(1, (float) (1 - BETA1));
        adamScalars.set(2, (float) BETA2);
        adamScalars.set(3, (float) (1 - BETA2));
        adamScalars.set(4, (float) (lr / (1 - Math.pow(BETA1, step))));
        adamScalars.set(5, (float) Math.sqrt(1 - Math.pow(BETA2, step)));
        adamScalars.set(6, (float) EPS);
    }

    /** Each row's {@code -log p(next)} with the current parameters: the forward pass alone, without dropout. */
    @Override
    public float[] evalTokenLosses(int[] inputs, int[] next) {
        load(inputs, next);
        begun = Begun.NOTHING;                                  // the forward's activations are overwritten
        ElementwiseKernels.setDropRate(dropRate, 0f);           // evaluation: every mask is 1, nothing is drawn
        chain.run(1, lastForward);
        chain.run(evalGraph, evalGraph);
        return evalLosses.toHeapArray();
    }

    /**
     * Where each of this step's dropout masks starts, in the order the CPU's forward pass draws them from the model's
     * generator (the embeddings' mask, then per block the attention weights' {@code (B·NH, T, T)} mask and the two
     * shortcuts'), and the generator moved past them all.
     */
    private void drawDropoutMasks() {
        float rate = cfg.dropRate();
        ElementwiseKernels.setDropRate(dropRate, rate);
        if (rate == 0f) return;                                // the CPU draws nothing either
        long nc = (long) n * cfg.embDim();
        dropStarts.set(0, dropoutRng.skip(nc));
        for (int l = 0; l < cfg.nLayers(); l++) {
            dropStarts.set(1 + 3 * l, dropoutRng.skip((long) b * cfg.nHeads() * t * t));
            dropStarts.set(2 + 3 * l, dropoutRng.skip(nc));
            dropStarts.set(3 + 3 * l, dropoutRng.skip(nc));
        }
    }

    /** The batch's ids and targets into their device arrays, each checked (the ids against the vocabulary, the targets against the head). */
    private void load(int[] inputs, int[] next) {
        loadIds(inputs);
        if (next.length != n) throw new IllegalArgumentException("the device step takes " + b + " x " + t + " = " + n + " targets, got " + next.length);
        int counted = 0;
        for (int i = 0; i < n; i++) {
            boolean ignored = next[i] == IGNORE_INDEX;
            if (!ignored && (next[i] < 0 || next[i] >= classes)) {
                throw new IllegalArgumentException("target at " + i + " (" + next[i] + ") is outside the head's " + classes + " outputs");
            }
            if (!ignored) counted++;
            targets.set(i, next[i]);
        }
        if (counted == 0) throw new IllegalArgumentException("every target of the batch is ignored (" + IGNORE_INDEX + "): there is nothing to learn from");
    }

    private void loadIds(int[] inputs) {
        if (inputs.length != n) throw new IllegalArgumentException("the device step takes " + b + " x " + t + " = " + n + " token ids, got " + inputs.length);
        for (int i = 0; i < n; i++) {
            if (inputs[i] < 0 || inputs[i] >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id at " + i + " (" + inputs[i] + ") is outside the vocabulary of " + cfg.vocabSize());
            }
            ids.set(i, inputs[i]);
        }
    }

    @Override
    public long steps() {
        return step;
    }

    @Override
    public void resumeFrom(long steps, Map<String, NDArray> adamState) {
        if (step > 0 || chain.started()) throw new IllegalStateException("resumeFrom must come before the first step");
        this.step = steps;
        moments(adamState, true);
    }

    /** Between {@code adamState}'s arrays and the packed moments: into them ({@code toDevice} false) or from them. */
    private void moments(Map<String, NDArray> adamState, boolean toDevice) {
        if (!trains) return;                                    // no moments on the device: nothing moves them
        for (var e : adamState.entrySet()) {
            String key = e.getKey();
            boolean second = key.startsWith("exp_avg_sq.");
            if (!second && !key.startsWith("exp_avg.")) throw new IllegalArgumentException("not an AdamW moment: '" + key + "'");
            FloatArray moments = second ? moments2 : moments1;
            int at = layout.at(key.substring(second ? 11 : 8));
            NDArray a = e.getValue();
            if (!a.isContiguous()) throw new IllegalArgumentException("AdamW moment '" + key + "' is not contiguous");
            float[] s = a.storage();
            for (int i = 0, n = a.numel(); i < n; i++) {
                if (toDevice) moments.set(at + i, s[a.offset() + i]);
                else s[a.offset() + i] = moments.get(at + i);
            }
        }
    }

    /** The parameters as they are on the device now (copied back), by name. */
    public Map<String, float[]> parameters() {
        if (trains) chain.copyBack(updateGraph, params);        // else they are as they were copied there
        return layout.unpack(params.toHeapArray());
    }

    /** Copies the device's parameters into {@code model} (the same configuration), for evaluation, samples and checkpoints on the CPU. */
    @Override
    public void copyTo(GPTModel model, Map<String, NDArray> adamState) {
        if (trains) chain.copyBack(updateGraph, params, moments1, moments2);   // the AdamW graph holds all three
        model.loadStateDict(layout.stateDict(params.toHeapArray()));
        moments(adamState, false);
    }

    /** Floats this trainer keeps on the device: parameters, gradients, AdamW's moments, activations. */
    long floatsOnDevice() {
        return params.getSize() + grads.getSize() + moments1.getSize() + moments2.getSize() + acts.getSize();
    }

    @Override
    public void close() {
        chain.close();
    }
}
