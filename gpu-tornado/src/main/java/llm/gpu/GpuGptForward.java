package llm.gpu;

import java.util.Map;

import llm.autograd.Tensor;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * A GPT's forward pass on the device (Book §4.6, evaluation mode: no dropout), composed of this module's kernels in
 * one TaskGraph: embeddings, then per block LayerNorm, the three projections, heads split, causal attention, heads
 * merged, the output projection and its bias, the residual add, LayerNorm, the MLP with GELU and the second residual;
 * then the final LayerNorm and the head. The weights are copied to the device once, with the token ids; the logits
 * come back. The first step towards a device-resident training step, checked against {@code GPTModel.forward}.
 *
 * <p>A graph of a few dozen tasks per layer outgrows TornadoVM's default 4 KB buffer for its own bytecode: run with
 * {@code -Dtornado.tvm.maxbytecodesize=1048576} (otherwise TornadoVM gives up on the graph and says only that it
 * could not recover).
 */
public final class GpuGptForward implements AutoCloseable {
    private final GPTConfig cfg;
    private final int b, t;
    private final IntArray ids;
    private final FloatArray logits;
    private final TornadoExecutionPlan plan;

    /** Builds the graph for batches of {@code b} sequences of {@code t} tokens. */
    public GpuGptForward(GPTModel model, int b, int t) {
        this.cfg = model.config();
        this.b = b;
        this.t = t;
        int c = cfg.embDim(), h = cfg.nHeads(), hs = c / h, v = cfg.vocabSize(), n = b * t;
        Map<String, Tensor> p = model.namedParameters();
        ids = new IntArray(n);
        logits = new FloatArray(n * v);
        FloatArray x = new FloatArray(n * c), ln = new FloatArray(n * c), mean = new FloatArray(n), rstd = new FloatArray(n);
        FloatArray q = new FloatArray(n * c), k = new FloatArray(n * c), val = new FloatArray(n * c);
        FloatArray qh = new FloatArray(n * c), kh = new FloatArray(n * c), vh = new FloatArray(n * c), ah = new FloatArray(n * c);
        FloatArray att = new FloatArray(n * c), proj = new FloatArray(n * c), lse = new FloatArray(b * h * t);
        FloatArray fc = new FloatArray(n * 4 * c), gelu = new FloatArray(n * 4 * c);
        KernelContext ctx = new KernelContext();
        GridScheduler grids = new GridScheduler();
        TaskGraph g = new TaskGraph("gpt").transferToDevice(DataTransferMode.EVERY_EXECUTION, ids);
        FloatArray wte = weight(p, "tok_emb.weight"), wpe = weight(p, "pos_emb.weight");
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, wte, wpe);
        g.task("emb", EmbeddingKernel::forward, wte, ids, x, n, c).task("pos", HeadsKernels::addPositions, x, wpe, n, t, c);
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int l = 0; l < cfg.nLayers(); l++) {
            String pre = "trf_blocks." + l + ".";
            FloatArray n1s = weight(p, pre + "norm1.scale"), n1b = weight(p, pre + "norm1.shift"), wq = weight(p, pre + "att.W_query.weight");
            FloatArray wk = weight(p, pre + "att.W_key.weight"), wv = weight(p, pre + "att.W_value.weight"), wo = weight(p, pre + "att.out_proj.weight");
            FloatArray bo = weight(p, pre + "att.out_proj.bias"), n2s = weight(p, pre + "norm2.scale"), n2b = weight(p, pre + "norm2.shift");
            FloatArray w1 = weight(p, pre + "ff.layers.0.weight"), b1 = weight(p, pre + "ff.layers.0.bias");
            FloatArray w2 = weight(p, pre + "ff.layers.2.weight"), b2 = weight(p, pre + "ff.layers.2.bias");
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, n1s, n1b, wq, wk, wv, wo, bo, n2s, n2b, w1, b1, w2, b2);
            g.task("ln1_" + l, RowKernels::layerNormForward, x, n1s, n1b, ln, mean, rstd, n, c, 1e-5f);
            matmul(g, grids, "q_" + l, ctx, ln, wq, q, n, c, c);
            matmul(g, grids, "k_" + l, ctx, ln, wk, k, n, c, c);
            matmul(g, grids, "v_" + l, ctx, ln, wv, val, n, c, c);
            if (cfg.qkvBias()) {
                FloatArray bq = weight(p, pre + "att.W_query.bias"), bk = weight(p, pre + "att.W_key.bias"), bv = weight(p, pre + "att.W_value.bias");
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, bq, bk, bv);
                g.task("bq_" + l, ElementwiseKernels::addBias, q, bq, n, c).task("bk_" + l, ElementwiseKernels::addBias, k, bk, n, c)
                        .task("bv_" + l, ElementwiseKernels::addBias, val, bv, n, c);
            }
            g.task("sq_" + l, HeadsKernels::split, q, qh, b, t, h, hs).task("sk_" + l, HeadsKernels::split, k, kh, b, t, h, hs)
                    .task("sv_" + l, HeadsKernels::split, val, vh, b, t, h, hs)
                    .task("att_" + l, AttentionKernel::forward, qh, kh, vh, ah, lse, b * h, t, hs, scale)
                    .task("mh_" + l, HeadsKernels::merge, ah, att, b, t, h, hs);
            matmul(g, grids, "o_" + l, ctx, att, wo, proj, n, c, c);
            g.task("bo_" + l, ElementwiseKernels::addBias, proj, bo, n, c).task("r1_" + l, ElementwiseKernels::addInPlace, x, proj, n * c)
                    .task("ln2_" + l, RowKernels::layerNormForward, x, n2s, n2b, ln, mean, rstd, n, c, 1e-5f);
            matmul(g, grids, "fc_" + l, ctx, ln, w1, fc, n, 4 * c, c);
            g.task("b1_" + l, ElementwiseKernels::addBias, fc, b1, n, 4 * c).task("gelu_" + l, ElementwiseKernels::geluForward, fc, gelu, n * 4 * c);
            matmul(g, grids, "pr_" + l, ctx, gelu, w2, proj, n, c, 4 * c);
            g.task("b2_" + l, ElementwiseKernels::addBias, proj, b2, n, c).task("r2_" + l, ElementwiseKernels::addInPlace, x, proj, n * c);
        }
        FloatArray fs = weight(p, "final_norm.scale"), fb = weight(p, "final_norm.shift"), head = weight(p, "out_head.weight");
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, fs, fb, head);
        g.task("lnf", RowKernels::layerNormForward, x, fs, fb, ln, mean, rstd, n, c, 1e-5f);
        matmul(g, grids, "head", ctx, ln, head, logits, n, v, c);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, logits);
        plan = new TornadoExecutionPlan(g.snapshot());
        plan.withGridScheduler(grids);
    }

    private static void matmul(TaskGraph g, GridScheduler grids, String name, KernelContext ctx, FloatArray in, FloatArray w, FloatArray out,
                               int m, int n, int k) {
        g.task(name, MatMulKernel::matmul, ctx, in, k, 1, w, 1, k, out, m, n, k);         // out = in · wᵀ
        grids.addWorkerGrid("gpt." + name, MatMulKernel.grid(m, n));
    }

    private static FloatArray weight(Map<String, Tensor> p, String name) {
        Tensor w = p.get(name);
        if (w == null) throw new IllegalArgumentException("the model has no parameter '" + name + "'");
        return FloatArray.fromArray(w.data().contiguous().toArray());
    }

    /** The logits {@code (B·T, V)} of token ids {@code (B·T)}, row-major. */
    public float[] logits(int[] tokens) {
        if (tokens.length != b * t) throw new IllegalArgumentException("expected " + b * t + " token ids, got " + tokens.length);
        for (int i = 0; i < tokens.length; i++) ids.set(i, tokens[i]);
        plan.execute();
        return logits.toHeapArray();
    }

    @Override
    public void close() throws Exception {
        plan.close();
    }
}
