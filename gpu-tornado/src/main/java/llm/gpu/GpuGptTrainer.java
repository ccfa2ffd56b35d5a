package llm.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * A device-resident GPT training step, as llm.c's CUDA trainer does it (Book §5.2 on the kernels of this module): the
 * parameters, their gradients, AdamW's moments and every activation the backward needs live on the device; one
 * TaskGraph runs the forward pass, the cross-entropy, the backward pass and AdamW; only the batch's token ids and
 * targets go in, with the step's AdamW scalars, and the loss comes out. No dropout (rate 0), an untied head, AdamW
 * with PyTorch's betas, decay on every parameter: the setting {@code GpuTrainingStepTest} compares with the CPU.
 * Run with {@code -Dtornado.tvm.maxbytecodesize=1048576}.
 */
public final class GpuGptTrainer implements AutoCloseable {
    private final GPTConfig cfg;
    private final int b, t, n;
    private final double lr, weightDecay;
    private final IntArray ids, targets;
    private final FloatArray losses, adamScalars;
    private final Map<String, FloatArray> params = new LinkedHashMap<>();
    private final TornadoExecutionPlan plan;
    private int step;
    private uk.ac.manchester.tornado.api.TornadoExecutionResult last;

    public GpuGptTrainer(GPTModel model, int b, int t, double lr, double weightDecay) {
        this.cfg = model.config();
        if (model.tiedHead()) throw new IllegalArgumentException("the device step trains an untied head");
        this.b = b;
        this.t = t;
        this.n = b * t;
        this.lr = lr;
        this.weightDecay = weightDecay;
        int c = cfg.embDim(), h = cfg.nHeads(), hs = c / h, v = cfg.vocabSize(), layers = cfg.nLayers();
        for (var e : model.namedParameters().entrySet()) params.put(e.getKey(), FloatArray.fromArray(e.getValue().data().contiguous().toArray()));
        ids = new IntArray(n);
        targets = new IntArray(n);
        losses = new FloatArray(n);
        adamScalars = new FloatArray(7);
        Map<String, FloatArray> grads = new LinkedHashMap<>(), moments1 = new LinkedHashMap<>(), moments2 = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            int size = e.getValue().getSize();
            grads.put(e.getKey(), new FloatArray(size));
            moments1.put(e.getKey(), zeros(size));
            moments2.put(e.getKey(), zeros(size));
        }
        KernelContext ctx = new KernelContext();
        GridScheduler grids = new GridScheduler();
        TaskGraph g = new TaskGraph("step").transferToDevice(DataTransferMode.EVERY_EXECUTION, ids, targets, adamScalars);
        List<FloatArray> firstTime = new ArrayList<>(params.values());
        firstTime.addAll(grads.values());
        firstTime.addAll(moments1.values());
        firstTime.addAll(moments2.values());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, firstTime.toArray());
        // gradients that kernels add to start at zero every step
        for (var e : grads.entrySet()) g.task("z_" + safe(e.getKey()), ElementwiseKernels::zero, e.getValue(), e.getValue().getSize());

        // ---- forward, keeping what the backward reads
        FloatArray[] xIn = new FloatArray[layers + 1], ln1 = new FloatArray[layers], m1 = new FloatArray[layers], r1 = new FloatArray[layers];
        FloatArray[] qh = new FloatArray[layers], kh = new FloatArray[layers], vh = new FloatArray[layers], ah = new FloatArray[layers];
        FloatArray[] lse = new FloatArray[layers], att = new FloatArray[layers], xMid = new FloatArray[layers], ln2 = new FloatArray[layers];
        FloatArray[] m2 = new FloatArray[layers], r2 = new FloatArray[layers], fc = new FloatArray[layers], gelu = new FloatArray[layers];
        FloatArray q = new FloatArray(n * c), k = new FloatArray(n * c), val = new FloatArray(n * c), proj = new FloatArray(n * c);
        xIn[0] = new FloatArray(n * c);
        g.task("emb", EmbeddingKernel::forward, p("tok_emb.weight"), ids, xIn[0], n, c).task("pos", HeadsKernels::addPositions, xIn[0], p("pos_emb.weight"), n, t, c);
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int l = 0; l < layers; l++) {
            String pre = "trf_blocks." + l + ".";
            ln1[l] = new FloatArray(n * c); m1[l] = new FloatArray(n); r1[l] = new FloatArray(n);
            qh[l] = new FloatArray(n * c); kh[l] = new FloatArray(n * c); vh[l] = new FloatArray(n * c); ah[l] = new FloatArray(n * c);
            lse[l] = new FloatArray(b * h * t); att[l] = new FloatArray(n * c); xMid[l] = new FloatArray(n * c); ln2[l] = new FloatArray(n * c);
            m2[l] = new FloatArray(n); r2[l] = new FloatArray(n); fc[l] = new FloatArray(n * 4 * c); gelu[l] = new FloatArray(n * 4 * c);
            xIn[l + 1] = new FloatArray(n * c);
            g.task("ln1_" + l, RowKernels::layerNormForward, xIn[l], p(pre + "norm1.scale"), p(pre + "norm1.shift"), ln1[l], m1[l], r1[l], n, c, 1e-5f);
            mm(g, grids, "q_" + l, ctx, ln1[l], p(pre + "att.W_query.weight"), q, n, c, c);
            mm(g, grids, "k_" + l, ctx, ln1[l], p(pre + "att.W_key.weight"), k, n, c, c);
            mm(g, grids, "v_" + l, ctx, ln1[l], p(pre + "att.W_value.weight"), val, n, c, c);
            if (cfg.qkvBias()) {
                g.task("bq_" + l, ElementwiseKernels::addBias, q, p(pre + "att.W_query.bias"), n, c).task("bk_" + l, ElementwiseKernels::addBias, k, p(pre + "att.W_key.bias"), n, c)
                        .task("bv_" + l, ElementwiseKernels::addBias, val, p(pre + "att.W_value.bias"), n, c);
            }
            g.task("sq_" + l, HeadsKernels::split, q, qh[l], b, t, h, hs).task("sk_" + l, HeadsKernels::split, k, kh[l], b, t, h, hs)
                    .task("sv_" + l, HeadsKernels::split, val, vh[l], b, t, h, hs)
                    .task("att_" + l, AttentionKernel::forward, qh[l], kh[l], vh[l], ah[l], lse[l], b * h, t, hs, scale)
                    .task("mh_" + l, HeadsKernels::merge, ah[l], att[l], b, t, h, hs);
            mm(g, grids, "o_" + l, ctx, att[l], p(pre + "att.out_proj.weight"), proj, n, c, c);
            g.task("bo_" + l, ElementwiseKernels::addBias, proj, p(pre + "att.out_proj.bias"), n, c)
                    .task("r1_" + l, ElementwiseKernels::add, xIn[l], proj, xMid[l], n * c)
                    .task("ln2_" + l, RowKernels::layerNormForward, xMid[l], p(pre + "norm2.scale"), p(pre + "norm2.shift"), ln2[l], m2[l], r2[l], n, c, 1e-5f);
            mm(g, grids, "fc_" + l, ctx, ln2[l], p(pre + "ff.layers.0.weight"), fc[l], n, 4 * c, c);
            g.task("b1_" + l, ElementwiseKernels::addBias, fc[l], p(pre + "ff.layers.0.bias"), n, 4 * c)
                    .task("gelu_" + l, ElementwiseKernels::geluForward, fc[l], gelu[l], n * 4 * c);
            mm(g, grids, "pr_" + l, ctx, gelu[l], p(pre + "ff.layers.2.weight"), proj, n, c, 4 * c);
            g.task("b2_" + l, ElementwiseKernels::addBias, proj, p(pre + "ff.layers.2.bias"), n, c)
                    .task("r2_" + l, ElementwiseKernels::add, xMid[l], proj, xIn[l + 1], n * c);
        }
        FloatArray lnf = new FloatArray(n * c), mf = new FloatArray(n), rf = new FloatArray(n), logits = new FloatArray(n * v), probs = new FloatArray(n * v);
        g.task("lnf", RowKernels::layerNormForward, xIn[layers], p("final_norm.scale"), p("final_norm.shift"), lnf, mf, rf, n, c, 1e-5f);
        mm(g, grids, "head", ctx, lnf, p("out_head.weight"), logits, n, v, c);
        g.task("ce", RowKernels::crossEntropyForward, logits, targets, probs, losses, n, v);

        // ---- backward
        FloatArray dlogits = new FloatArray(n * v), dx = new FloatArray(n * c), dtmp = new FloatArray(n * c), dln = new FloatArray(n * c);
        FloatArray dfc = new FloatArray(n * 4 * c), dgelu = new FloatArray(n * 4 * c), dq = new FloatArray(n * c), dk = new FloatArray(n * c);
        FloatArray dv = new FloatArray(n * c), dah = new FloatArray(n * c), dqh = new FloatArray(n * c), dkh = new FloatArray(n * c);
        FloatArray dvh = new FloatArray(n * c), pAtt = new FloatArray(b * h * t * t), dsAtt = new FloatArray(b * h * t * t);
        g.task("dce", RowKernels::crossEntropyBackward, probs, targets, dlogits, n, v, 1f / n);
        mmWeight(g, grids, "dhead", ctx, dlogits, lnf, gr(grads, "out_head.weight"), n, v, c);
        mmInput(g, grids, "dlnf", ctx, dlogits, p("out_head.weight"), dln, n, v, c);
        g.task("dlnf_x", RowKernels::layerNormBackwardInput, xIn[layers], dln, p("final_norm.scale"), mf, rf, dx, n, c)
                .task("dlnf_p", RowKernels::layerNormBackwardParams, xIn[layers], dln, mf, rf, gr(grads, "final_norm.scale"), gr(grads, "final_norm.shift"), n, c);
        for (int l = layers - 1; l >= 0; l--) {
            String pre = "trf_blocks." + l + ".";
            // second residual: dx flows to xMid and to the MLP's output
            mmWeight(g, grids, "dw2_" + l, ctx, dx, gelu[l], gr(grads, pre + "ff.layers.2.weight"), n, c, 4 * c);
            g.task("db2_" + l, ElementwiseKernels::biasGradient, dx, gr(grads, pre + "ff.layers.2.bias"), n, c);
            mmInput(g, grids, "dgelu_" + l, ctx, dx, p(pre + "ff.layers.2.weight"), dgelu, n, c, 4 * c);
            g.task("dfc_" + l, ElementwiseKernels::geluBackward, fc[l], dgelu, dfc, n * 4 * c);
            mmWeight(g, grids, "dw1_" + l, ctx, dfc, ln2[l], gr(grads, pre + "ff.layers.0.weight"), n, 4 * c, c);
            g.task("db1_" + l, ElementwiseKernels::biasGradient, dfc, gr(grads, pre + "ff.layers.0.bias"), n, 4 * c);
            mmInput(g, grids, "dln2_" + l, ctx, dfc, p(pre + "ff.layers.0.weight"), dln, n, 4 * c, c);
            g.task("dln2x_" + l, RowKernels::layerNormBackwardInput, xMid[l], dln, p(pre + "norm2.scale"), m2[l], r2[l], dtmp, n, c)
                    .task("dln2p_" + l, RowKernels::layerNormBackwardParams, xMid[l], dln, m2[l], r2[l], gr(grads, pre + "norm2.scale"), gr(grads, pre + "norm2.shift"), n, c)
                    .task("dmid_" + l, ElementwiseKernels::addInPlace, dx, dtmp, n * c);
            // first residual: dx (now d xMid) flows to xIn and to the attention's output
            mmWeight(g, grids, "dwo_" + l, ctx, dx, att[l], gr(grads, pre + "att.out_proj.weight"), n, c, c);
            g.task("dbo_" + l, ElementwiseKernels::biasGradient, dx, gr(grads, pre + "att.out_proj.bias"), n, c);
            mmInput(g, grids, "datt_" + l, ctx, dx, p(pre + "att.out_proj.weight"), dtmp, n, c, c);
            g.task("dah_" + l, HeadsKernels::split, dtmp, dah, b, t, h, hs)
                    .task("das_" + l, AttentionKernel::backwardScores, qh[l], kh[l], vh[l], lse[l], dah, pAtt, dsAtt, b * h, t, hs, scale)
                    .task("daq_" + l, AttentionKernel::backwardQuery, kh[l], dsAtt, dqh, b * h, t, hs)
                    .task("dakv_" + l, AttentionKernel::backwardKeyValue, qh[l], dah, pAtt, dsAtt, dkh, dvh, b * h, t, hs)
                    .task("dmq_" + l, HeadsKernels::merge, dqh, dq, b, t, h, hs).task("dmk_" + l, HeadsKernels::merge, dkh, dk, b, t, h, hs)
                    .task("dmv_" + l, HeadsKernels::merge, dvh, dv, b, t, h, hs);
            if (cfg.qkvBias()) {
                g.task("dbq_" + l, ElementwiseKernels::biasGradient, dq, gr(grads, pre + "att.W_query.bias"), n, c)
                        .task("dbk_" + l, ElementwiseKernels::biasGradient, dk, gr(grads, pre + "att.W_key.bias"), n, c)
                        .task("dbv_" + l, ElementwiseKernels::biasGradient, dv, gr(grads, pre + "att.W_value.bias"), n, c);
            }
            mmWeight(g, grids, "dwq_" + l, ctx, dq, ln1[l], gr(grads, pre + "att.W_query.weight"), n, c, c);
            mmWeight(g, grids, "dwk_" + l, ctx, dk, ln1[l], gr(grads, pre + "att.W_key.weight"), n, c, c);
            mmWeight(g, grids, "dwv_" + l, ctx, dv, ln1[l], gr(grads, pre + "att.W_value.weight"), n, c, c);
            mmInput(g, grids, "dlq_" + l, ctx, dq, p(pre + "att.W_query.weight"), dln, n, c, c);
            mmInput(g, grids, "dlk_" + l, ctx, dk, p(pre + "att.W_key.weight"), dtmp, n, c, c);
            g.task("dlqk_" + l, ElementwiseKernels::addInPlace, dln, dtmp, n * c);
            mmInput(g, grids, "dlv_" + l, ctx, dv, p(pre + "att.W_value.weight"), dtmp, n, c, c);
            g.task("dlqkv_" + l, ElementwiseKernels::addInPlace, dln, dtmp, n * c)
                    .task("dln1x_" + l, RowKernels::layerNormBackwardInput, xIn[l], dln, p(pre + "norm1.scale"), m1[l], r1[l], dtmp, n, c)
                    .task("dln1p_" + l, RowKernels::layerNormBackwardParams, xIn[l], dln, m1[l], r1[l], gr(grads, pre + "norm1.scale"), gr(grads, pre + "norm1.shift"), n, c)
                    .task("din_" + l, ElementwiseKernels::addInPlace, dx, dtmp, n * c);
        }
        g.task("demb", EmbeddingKernel::backward, dx, ids, gr(grads, "tok_emb.weight"), n, c)
                .task("dpos", ElementwiseKernels::positionGradient, dx, gr(grads, "pos_emb.weight"), b, t, c);

        // ---- AdamW
        for (var e : params.entrySet()) {
            String name = e.getKey();
            g.task("adam_" + safe(name), ElementwiseKernels::adamWStep, e.getValue(), grads.get(name), moments1.get(name), moments2.get(name),
                    e.getValue().getSize(), adamScalars);
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, losses);
        g.transferToHost(DataTransferMode.UNDER_DEMAND, params.values().toArray());      // copied back only when asked for
        plan = new TornadoExecutionPlan(g.snapshot());
        plan.withGridScheduler(grids);
    }

    private FloatArray p(String name) {
        FloatArray a = params.get(name);
        if (a == null) throw new IllegalArgumentException("the model has no parameter '" + name + "'");
        return a;
    }

    private static FloatArray gr(Map<String, FloatArray> grads, String name) {
        return grads.get(name);
    }

    private static FloatArray zeros(int size) {
        FloatArray a = new FloatArray(size);
        a.init(0f);
        return a;
    }

    private static String safe(String name) {
        return name.replace('.', '_');
    }

    /** {@code out (M, N) = in (M, K) · w (N, K)ᵀ}. */
    private static void mm(TaskGraph g, GridScheduler grids, String name, KernelContext ctx, FloatArray in, FloatArray w, FloatArray out, int m, int n, int k) {
        int[] s = MatMulKernel.forward(m, n, k);
        g.task(name, MatMulKernel::matmul, ctx, in, s[0], s[1], w, s[2], s[3], out, m, n, k);
        grids.addWorkerGrid("step." + name, MatMulKernel.grid(m, n));
    }

    /** {@code dw (N, K) = dy (M, N)ᵀ · x (M, K)} for a layer {@code (M, K) -> (M, N)}. */
    private static void mmWeight(TaskGraph g, GridScheduler grids, String name, KernelContext ctx, FloatArray dy, FloatArray x, FloatArray dw, int m, int n, int k) {
        int[] s = MatMulKernel.backwardWeight(m, n, k);
        g.task(name, MatMulKernel::matmul, ctx, dy, s[0], s[1], x, s[2], s[3], dw, n, k, m);
        grids.addWorkerGrid("step." + name, MatMulKernel.grid(n, k));
    }

    /** {@code dx (M, K) = dy (M, N) · w (N, K)} for a layer {@code (M, K) -> (M, N)}. */
    private static void mmInput(TaskGraph g, GridScheduler grids, String name, KernelContext ctx, FloatArray dy, FloatArray w, FloatArray dx, int m, int n, int k) {
        int[] s = MatMulKernel.backwardInput(m, n, k);
        g.task(name, MatMulKernel::matmul, ctx, dy, s[0], s[1], w, s[2], s[3], dx, m, k, n);
        grids.addWorkerGrid("step." + name, MatMulKernel.grid(m, k));
    }

    /** One training step on {@code inputs} and {@code next} (both {@code B·T} ids); returns the mean loss. */
    public double step(int[] inputs, int[] next) {
        step++;
        for (int i = 0; i < n; i++) {
            ids.set(i, inputs[i]);
            targets.set(i, next[i]);
        }
        adamScalars.set(0, (float) (1 - lr * weightDecay));
        adamScalars.set(1, (float) (1 - 0.9));
        adamScalars.set(2, 0.999f);
        adamScalars.set(3, (float) (1 - 0.999));
        adamScalars.set(4, (float) (lr / (1 - Math.pow(0.9, step))));
        adamScalars.set(5, (float) Math.sqrt(1 - Math.pow(0.999, step)));
        adamScalars.set(6, 1e-8f);
        last = plan.execute();
        double total = 0;
        for (int i = 0; i < n; i++) total += losses.get(i);
        return total / n;
    }

    /** The parameters as they are on the device now (copied back). */
    public Map<String, float[]> parameters() {
        if (last != null) last.transferToHost(params.values().toArray());
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) out.put(e.getKey(), e.getValue().toHeapArray());
        return out;
    }

    @Override
    public void close() throws Exception {
        plan.close();
    }
}
