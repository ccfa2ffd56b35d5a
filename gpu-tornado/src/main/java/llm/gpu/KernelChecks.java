package llm.gpu;

import java.util.Random;

import llm.tensor.AdamWKernels;
import llm.tensor.AttentionKernels;
import llm.tensor.CrossEntropyKernels;
import llm.tensor.EmbeddingKernels;
import llm.tensor.Gemm;
import llm.tensor.GeluKernels;
import llm.tensor.LayerNormKernels;
import llm.tensor.Parallelism;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Each TornadoVM kernel run on the default device beside its CPU reference in {@code tensor-core}, on random inputs
 * of the given sizes: each method returns the largest difference relative to {@code 1 + |reference|}. The tests
 * assert on them (on PoCL where no GPU is present); {@link GpuCheck} prints them on a machine without Maven.
 */
public final class KernelChecks {
    private KernelChecks() {}

    static float[] random(Random rng, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian() * scale;
        return a;
    }

    static double worst(float[] expected, float[] actual) {
        double w = 0;
        for (int i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i])));
        return w;
    }

    static void run(TaskGraph graph) {
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException("TornadoVM failed: " + e, e);
        }
    }

    /** The tiled matmul against {@code Gemm.gemmNaive}: a linear layer's forward and both backward products. */
    public static double matmul(int m, int n, int k, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, m * k, 1f), w = random(rng, n * k, 1f), dy = random(rng, m * n, 1f);
        double worst = 0;
        // y = x Wᵀ: (M, K) (K, N); dx = dy W: (M, N) (N, K); dW = dyᵀ x: (N, M) (M, K)
        Object[][] products = {{x, w, m, n, k, MatMulKernel.forward(m, n, k)}, {dy, w, m, k, n, MatMulKernel.backwardInput(m, n, k)},
                {dy, x, n, k, m, MatMulKernel.backwardWeight(m, n, k)}};
        for (Object[] p : products) {
            float[] a = (float[]) p[0], b = (float[]) p[1];
            int pm = (int) p[2], pn = (int) p[3], pk = (int) p[4];
            int[] st = (int[]) p[5];
            float[] gpu = new float[pm * pn], cpu = new float[pm * pn];
            MatMulKernel.run(a, b, gpu, pm, pn, pk, st);
            Gemm.gemmNaive(pm, pn, pk, a, 0, st[0], st[1], b, 0, st[2], st[3], cpu, 0, pn, false);
            worst = Math.max(worst, worst(cpu, gpu));
        }
        return worst;
    }

    /** Token embedding forward and backward (repeated tokens included) against {@code EmbeddingKernels}. */
    public static double embedding(int n, int v, int c, long seed) {
        Random rng = new Random(seed);
        float[] weight = random(rng, v * c, 1f), dout = random(rng, n * c, 1f), out = new float[n * c], dweight = new float[v * c];
        int[] ids = new int[n];
        for (int t = 0; t < n; t++) ids[t] = rng.nextInt(Math.max(1, v / 4));      // a small range: tokens repeat
        EmbeddingKernels.forward(weight, 0, ids, out, n, v, c);
        EmbeddingKernels.backwardScalar(dout, 0, ids, dweight, n, c);
        FloatArray dw = FloatArray.fromArray(weight), dOut = new FloatArray(n * c), dd = FloatArray.fromArray(dout), dGrad = new FloatArray(v * c);
        dGrad.init(0f);
        IntArray dIds = IntArray.fromArray(ids);
        run(new TaskGraph("emb").transferToDevice(DataTransferMode.EVERY_EXECUTION, dw, dIds, dd, dGrad)
                .task("f", EmbeddingKernel::forward, dw, dIds, dOut, n, c)
                .task("b", EmbeddingKernel::backward, dd, dIds, dGrad, n, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dOut, dGrad));
        return Math.max(worst(out, dOut.toHeapArray()), worst(dweight, dGrad.toHeapArray()));
    }

    /** Causal attention forward (output and log-sum-exp) against {@code AttentionKernels.forwardReference}. */
    public static double attention(int heads, int t, int hs, long seed) {
        Random rng = new Random(seed);
        float[] q = random(rng, heads * t * hs, 1f), k = random(rng, heads * t * hs, 1f), v = random(rng, heads * t * hs, 1f);
        float[] out = new float[heads * t * hs], lse = new float[heads * t];
        for (int h = 0; h < heads; h++) AttentionKernels.forwardReference(q, k, v, null, 1f, out, lse, h, t, hs);
        FloatArray dq = FloatArray.fromArray(q), dk = FloatArray.fromArray(k), dv = FloatArray.fromArray(v);
        FloatArray dOut = new FloatArray(heads * t * hs), dLse = new FloatArray(heads * t);
        run(new TaskGraph("att").transferToDevice(DataTransferMode.EVERY_EXECUTION, dq, dk, dv)
                .task("f", AttentionKernel::forward, dq, dk, dv, dOut, dLse, heads, t, hs, (float) (1.0 / Math.sqrt(hs)))
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dOut, dLse));
        return Math.max(worst(out, dOut.toHeapArray()), worst(lse, dLse.toHeapArray()));
    }

    /** Causal attention backward (dq, dk, dv) against {@code AttentionKernels.backwardReference}. */
    public static double attentionBackward(int heads, int t, int hs, long seed) {
        Random rng = new Random(seed);
        int n = heads * t * hs;
        float[] q = random(rng, n, 1f), k = random(rng, n, 1f), v = random(rng, n, 1f), dout = random(rng, n, 1f);
        float[] out = new float[n], lse = new float[heads * t], dq = new float[n], dk = new float[n], dv = new float[n];
        for (int h = 0; h < heads; h++) {
            AttentionKernels.forwardReference(q, k, v, null, 1f, out, lse, h, t, hs);
            AttentionKernels.backwardReference(q, k, v, null, 1f, lse, dout, dq, dk, dv, h, t, hs);
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        FloatArray gq = FloatArray.fromArray(q), gk = FloatArray.fromArray(k), gv = FloatArray.fromArray(v), gl = FloatArray.fromArray(lse);
        FloatArray gdo = FloatArray.fromArray(dout), p = new FloatArray(heads * t * t), ds = new FloatArray(heads * t * t);
        FloatArray gdq = new FloatArray(n), gdk = new FloatArray(n), gdv = new FloatArray(n);
        run(new TaskGraph("attb").transferToDevice(DataTransferMode.EVERY_EXECUTION, gq, gk, gv, gl, gdo)
                .task("s", AttentionKernel::backwardScores, gq, gk, gv, gl, gdo, p, ds, heads, t, hs, scale)
                .task("q", AttentionKernel::backwardQuery, gk, ds, gdq, heads, t, hs)
                .task("kv", AttentionKernel::backwardKeyValue, gq, gdo, p, ds, gdk, gdv, heads, t, hs)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gdq, gdk, gdv));
        return Math.max(worst(dq, gdq.toHeapArray()), Math.max(worst(dk, gdk.toHeapArray()), worst(dv, gdv.toHeapArray())));
    }

    /** Bias add and bias gradient against plain loops; gradient clipping against {@code GradientClipping}'s formula. */
    public static double biasAndClip(int rows, int n, long seed) {
        Random rng = new Random(seed);
        float[] y = random(rng, rows * n, 1f), bias = random(rng, n, 1f), dbias = random(rng, n, 1f), g = random(rng, rows * n, 3f);
        float[] y2 = y.clone(), db2 = dbias.clone(), g2 = g.clone();
        for (int r = 0; r < rows; r++) for (int j = 0; j < n; j++) y2[r * n + j] += bias[j];
        for (int j = 0; j < n; j++) for (int r = 0; r < rows; r++) db2[j] += g[r * n + j];
        double sq = 0;
        for (float v : g) sq += (double) v * v;
        double norm = Math.sqrt(sq), coefficient = 1.0 / (norm + 1e-6);          // maxNorm 1: always clipped here
        for (int i = 0; i < g2.length; i++) g2[i] *= (float) coefficient;
        int len = rows * n, chunks = (len + ClipKernels.CHUNK - 1) / ClipKernels.CHUNK;
        FloatArray gy = FloatArray.fromArray(y), gb = FloatArray.fromArray(bias), gdb = FloatArray.fromArray(dbias), gg = FloatArray.fromArray(g);
        FloatArray partial = new FloatArray(chunks), result = new FloatArray(2);
        run(new TaskGraph("bc").transferToDevice(DataTransferMode.EVERY_EXECUTION, gy, gb, gdb, gg)
                .task("bias", ElementwiseKernels::addBias, gy, gb, rows, n)
                .task("dbias", ElementwiseKernels::biasGradient, gg, gdb, rows, n)
                .task("sq", ClipKernels::sumSquares, gg, partial, len)
                .task("norm", ClipKernels::normAndFactor, partial, result, chunks, 1f)
                .task("scale", ClipKernels::scale, gg, result, len)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gy, gdb, gg, result));
        double normError = Math.abs(result.get(0) - norm) / (1 + norm);
        return Math.max(Math.max(worst(y2, gy.toHeapArray()), worst(db2, gdb.toHeapArray())), Math.max(worst(g2, gg.toHeapArray()), normError));
    }

    /** LayerNorm backward (dx, and dscale and dshift added to) against {@code LayerNormKernels.backward}. */
    public static double layerNormBackward(int rows, int c, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, rows * c, 2f), scale = random(rng, c, 1f), shift = random(rng, c, 1f), dy = random(rng, rows * c, 1f);
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNormKernels.forward(x, 0, scale, shift, 1e-5f, out, mean, rstd, rows, c, Parallelism.SINGLE);
        float[] dx = new float[rows * c], dscale = random(rng, c, 1f), dshift = random(rng, c, 1f);   // gradients are added to
        FloatArray gx = FloatArray.fromArray(x), gdy = FloatArray.fromArray(dy), gs = FloatArray.fromArray(scale), gm = FloatArray.fromArray(mean);
        FloatArray gr = FloatArray.fromArray(rstd), gdx = new FloatArray(rows * c), gds = FloatArray.fromArray(dscale), gdb = FloatArray.fromArray(dshift);
        LayerNormKernels.backward(x, 0, dy, 0, scale, mean, rstd, dx, dscale, dshift, rows, c, Parallelism.SINGLE);
        run(new TaskGraph("lnb").transferToDevice(DataTransferMode.EVERY_EXECUTION, gx, gdy, gs, gm, gr, gds, gdb)
                .task("dx", RowKernels::layerNormBackwardInput, gx, gdy, gs, gm, gr, gdx, rows, c)
                .task("dp", RowKernels::layerNormBackwardParams, gx, gdy, gm, gr, gds, gdb, rows, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gdx, gds, gdb));
        return Math.max(worst(dx, gdx.toHeapArray()), Math.max(worst(dscale, gds.toHeapArray()), worst(dshift, gdb.toHeapArray())));
    }

    /** GELU forward and backward against the scalar references; the larger of the two differences. */
    public static double gelu(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, n, 3f), dy = random(rng, n, 1f), out = new float[n], dx = new float[n];
        GeluKernels.forwardScalar(x, 0, out, n);
        GeluKernels.backwardScalar(x, 0, dy, 0, dx, n);
        FloatArray dX = FloatArray.fromArray(x), dDy = FloatArray.fromArray(dy), dOut = new FloatArray(n), dDx = new FloatArray(n);
        run(new TaskGraph("gelu").transferToDevice(DataTransferMode.EVERY_EXECUTION, dX, dDy)
                .task("f", ElementwiseKernels::geluForward, dX, dOut, n)
                .task("b", ElementwiseKernels::geluBackward, dX, dDy, dDx, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dOut, dDx));
        return Math.max(worst(out, dOut.toHeapArray()), worst(dx, dDx.toHeapArray()));
    }

    /** One AdamW step (step 3, lr 4e-4, weight decay 0.1) against {@code AdamWKernels.updateReference}. */
    public static double adamW(int n, long seed) {
        Random rng = new Random(seed);
        float[] p = random(rng, n, 1f), g = random(rng, n, 0.1f), m = random(rng, n, 0.01f), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Math.abs(rng.nextFloat()) * 1e-3f;
        FloatArray dp = FloatArray.fromArray(p), dg = FloatArray.fromArray(g), dm = FloatArray.fromArray(m), dv = FloatArray.fromArray(v);
        float lr = 4e-4f, decay = 1 - lr * 0.1f, stepSize = (float) (lr / (1 - Math.pow(0.9, 3))), c2 = (float) Math.sqrt(1 - Math.pow(0.999, 3));
        AdamWKernels.updateReference(p, 0, g, 0, m, v, 0, n, decay, 0.1f, 0.999f, 0.001f, stepSize, c2, 1e-8f);
        run(new TaskGraph("adamw").transferToDevice(DataTransferMode.EVERY_EXECUTION, dp, dg, dm, dv)
                .task("t", ElementwiseKernels::adamW, dp, dg, dm, dv, n, decay, 0.1f, 0.999f, 0.001f, stepSize, c2, 1e-8f)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dp, dm, dv));
        return Math.max(worst(p, dp.toHeapArray()), Math.max(worst(m, dm.toHeapArray()), worst(v, dv.toHeapArray())));
    }

    /** LayerNorm forward (output, mean, rstd) against {@code LayerNormKernels.forward}. */
    public static double layerNorm(int rows, int c, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, rows * c, 2f), scale = random(rng, c, 1f), shift = random(rng, c, 1f);
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNormKernels.forward(x, 0, scale, shift, 1e-5f, out, mean, rstd, rows, c, Parallelism.SINGLE);
        FloatArray dx = FloatArray.fromArray(x), ds = FloatArray.fromArray(scale), db = FloatArray.fromArray(shift);
        FloatArray dOut = new FloatArray(rows * c), dMean = new FloatArray(rows), dRstd = new FloatArray(rows);
        run(new TaskGraph("ln").transferToDevice(DataTransferMode.EVERY_EXECUTION, dx, ds, db)
                .task("t", RowKernels::layerNormForward, dx, ds, db, dOut, dMean, dRstd, rows, c, 1e-5f)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dOut, dMean, dRstd));
        return Math.max(worst(out, dOut.toHeapArray()), Math.max(worst(mean, dMean.toHeapArray()), worst(rstd, dRstd.toHeapArray())));
    }

    /** Cross-entropy forward (the mean loss) and backward (dlogits) against {@code CrossEntropyKernels}. */
    public static double crossEntropy(int rows, int v, long seed) {
        Random rng = new Random(seed);
        float[] logits = random(rng, rows * v, 3f);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = rng.nextInt(v);
        float[] probs = new float[rows * v];
        var sum = CrossEntropyKernels.forward(logits, 0, targets, -100, probs, rows, v, Parallelism.SINGLE);
        CrossEntropyKernels.backward(probs, targets, -100, 1f / rows, rows, v, Parallelism.SINGLE);   // probs now hold dlogits
        FloatArray dl = FloatArray.fromArray(logits), dp = new FloatArray(rows * v), dLoss = new FloatArray(rows), dGrad = new FloatArray(rows * v);
        IntArray dt = IntArray.fromArray(targets);
        run(new TaskGraph("ce").transferToDevice(DataTransferMode.EVERY_EXECUTION, dl, dt)
                .task("f", RowKernels::crossEntropyForward, dl, dt, dp, dLoss, rows, v)
                .task("b", RowKernels::crossEntropyBackward, dp, dt, dGrad, rows, v, 1f / rows)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dLoss, dGrad));
        double mean = 0;
        for (float l : dLoss.toHeapArray()) mean += l;
        mean /= rows;
        return Math.max(Math.abs(sum.mean() - mean) / (1 + Math.abs(sum.mean())), worst(probs, dGrad.toHeapArray()));
    }
}
