package llm.gpu;

import java.util.Arrays;
import java.util.Random;

import llm.tensor.AdamWKernels;
import llm.tensor.AttentionKernels;
import llm.tensor.CrossEntropyKernels;
import llm.tensor.DropoutKernels;
import llm.tensor.EmbeddingKernels;
import llm.tensor.Gemm;
import llm.tensor.GeluKernels;
import llm.tensor.LayerNormKernels;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

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

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static double worst(float[] expected, float[] actual) {
        double w = 0;
        for (int i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i])));
        return w;
    }

    /** Offset at which every check places its operands inside larger arrays, so that the kernels' offsets are exercised. */
    static final int PAD = 5;

    /** {@code a} at offset {@link #PAD} of a device array with room after it. */
    static FloatArray padded(float[] a) {
        FloatArray d = new FloatArray(PAD + a.length + PAD);
        d.init(0f);
        for (int i = 0; i < a.length; i++) d.set(PAD + i, a[i]);
        return d;
    }

    /** {@code n} numbers from offset {@link #PAD} of {@code d}. */
    static float[] unpadded(FloatArray d, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = d.get(PAD + i);
        return a;
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
        return matmul(m, n, k, seed, false);
    }

    /** {@link #matmul}, of {@code MatMulKernel.matmulBlocked} when {@code blocked}. */
    public static double matmul(int m, int n, int k, long seed, boolean blocked) {
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
            float[] cpu = new float[pm * pn];
            Gemm.gemmNaive(pm, pn, pk, a, 0, st[0], st[1], b, 0, st[2], st[3], cpu, 0, pn, false);
            FloatArray da = padded(a), db = padded(b), dc = padded(new float[pm * pn]);
            KernelContext ctx = new KernelContext();
            TaskGraph graph = new TaskGraph("mm").transferToDevice(DataTransferMode.EVERY_EXECUTION, da, db, dc);
            if (blocked) graph.task("t", MatMulKernel::matmulBlocked, ctx, da, PAD, st[0], st[1], db, PAD, st[2], st[3], dc, PAD, pm, pn, pk);
            else graph.task("t", MatMulKernel::matmul, ctx, da, PAD, st[0], st[1], db, PAD, st[2], st[3], dc, PAD, pm, pn, pk);
            graph.transferToHost(DataTransferMode.EVERY_EXECUTION, dc);
            try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
                plan.withGridScheduler(new GridScheduler("mm.t", blocked ? MatMulKernel.gridBlocked(pm, pn) : MatMulKernel.grid(pm, pn))).execute();
            } catch (Exception e) {
                throw new IllegalStateException("TornadoVM matmul failed: " + e, e);
            }
            float[] gpu = unpadded(dc, pm * pn);
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
        FloatArray dw = padded(weight), dOut = padded(new float[n * c]), dd = padded(dout), dGrad = padded(new float[v * c]);
        IntArray dIds = IntArray.fromArray(ids);
        run(new TaskGraph("emb").transferToDevice(DataTransferMode.EVERY_EXECUTION, dw, dIds, dd, dGrad, dOut)
                .task("f", EmbeddingKernel::forward, dw, PAD, dIds, dOut, PAD, n, c)
                .task("b", EmbeddingKernel::backward, dd, PAD, dIds, dGrad, PAD, n, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dOut, dGrad));
        return Math.max(worst(out, unpadded(dOut, n * c)), worst(dweight, unpadded(dGrad, v * c)));
    }

    /**
     * Dropout's mask against {@code DropoutKernels.scaledMask}, which the CPU's dropout layers use: the device draws
     * each element from the same generator state, so the masked values must be equal bit for bit (returns the number
     * of elements that differ); a rate of 0 must leave every element as it was.
     */
    public static int dropout(int n, float rate, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, n, 1f), expected = new float[n];
        float[] mask = DropoutKernels.scaledMask(n, rate, new SeededRandom(seed), Parallelism.SINGLE);
        for (int i = 0; i < n; i++) expected[i] = rate > 0f ? x[i] * mask[i] : x[i];
        FloatArray a = padded(x);
        LongArray starts = maskStart(seed);
        FloatArray scalars = dropoutScalars(rate);
        run(new TaskGraph("drop").transferToDevice(DataTransferMode.EVERY_EXECUTION, a, starts, scalars)
                .task("d", ElementwiseKernels::dropout, a, PAD, PAD, n, starts, 0, scalars)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, a));
        float[] gpu = unpadded(a, n);
        int differ = 0;
        for (int i = 0; i < n; i++) if (Float.floatToRawIntBits(gpu[i]) != Float.floatToRawIntBits(expected[i])) differ++;
        return differ;
    }

    /** The {@code rate} argument of the device's dropout kernels. */
    private static FloatArray dropoutScalars(float rate) {
        FloatArray scalars = new FloatArray(2);
        ElementwiseKernels.setDropRate(scalars, rate);
        return scalars;
    }

    /** The state a generator seeded {@code seed} starts its first mask from, as the kernels' {@code starts} array. */
    private static LongArray maskStart(long seed) {
        return LongArray.fromArray(new long[] {new SeededRandom(seed).skip(0)});
    }

    /** The CPU's attention mask {@code (heads, T, T)} drawn from a generator seeded {@code seed}, or null for no dropout. */
    private static boolean[] attentionKeep(int heads, int t, float rate, long seed) {
        return rate > 0f ? DropoutKernels.keep(heads * t * t, rate, new SeededRandom(seed), Parallelism.SINGLE) : null;
    }

    /**
     * Causal attention forward (output and log-sum-exp) against {@code AttentionKernels.forwardReference}, with
     * dropout of {@code rate} on the weights (0: none), the mask drawn on each side from a generator seeded {@code seed}.
     */
    public static double attention(int heads, int t, int hs, float rate, long seed) {
        Random rng = new Random(seed);
        float[] q = random(rng, heads * t * hs, 1f), k = random(rng, heads * t * hs, 1f), v = random(rng, heads * t * hs, 1f);
        float[] out = new float[heads * t * hs], lse = new float[heads * t];
        boolean[] keep = attentionKeep(heads, t, rate, seed);
        for (int h = 0; h < heads; h++) AttentionKernels.forwardReference(q, k, v, keep, 1f / (1f - rate), out, lse, h, t, hs);
        int n = heads * t * hs;                                                   // q, k, v, out, lse one after another
        FloatArray a = padded(concat(q, k, v, new float[n], new float[heads * t]));
        LongArray starts = maskStart(seed);
        FloatArray scalars = dropoutScalars(rate);
        run(new TaskGraph("att").transferToDevice(DataTransferMode.EVERY_EXECUTION, a, starts, scalars)
                .task("f", AttentionKernel::forward, a, PAD, PAD + n, PAD + 2 * n, PAD + 3 * n, PAD + 4 * n, heads, t, hs, (float) (1.0 / Math.sqrt(hs)),
                        starts, 0, scalars)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, a));
        float[] all = unpadded(a, 4 * n + heads * t);
        return Math.max(worst(out, Arrays.copyOfRange(all, 3 * n, 4 * n)), worst(lse, Arrays.copyOfRange(all, 4 * n, 4 * n + heads * t)));
    }

    /** Causal attention backward (dq, dk, dv) against {@code AttentionKernels.backwardReference}, dropout as {@link #attention}. */
    public static double attentionBackward(int heads, int t, int hs, float rate, long seed) {
        Random rng = new Random(seed);
        int n = heads * t * hs;
        float[] q = random(rng, n, 1f), k = random(rng, n, 1f), v = random(rng, n, 1f), dout = random(rng, n, 1f);
        float[] out = new float[n], lse = new float[heads * t], dq = new float[n], dk = new float[n], dv = new float[n];
        boolean[] keep = attentionKeep(heads, t, rate, seed);
        for (int h = 0; h < heads; h++) {
            AttentionKernels.forwardReference(q, k, v, keep, 1f / (1f - rate), out, lse, h, t, hs);
            AttentionKernels.backwardReference(q, k, v, keep, 1f / (1f - rate), lse, dout, dq, dk, dv, h, t, hs);
        }
        LongArray starts = maskStart(seed);
        FloatArray scalars = dropoutScalars(rate);
        float scale = (float) (1.0 / Math.sqrt(hs));
        // q, k, v, dout, dq, dk, dv (n each), lse (heads·t), p and ds (heads·t·t each), one after another
        int tt = heads * t * t, lseAt = PAD + 7 * n, pAt = lseAt + heads * t, dsAt = pAt + tt;
        FloatArray a = padded(concat(q, k, v, dout, new float[3 * n], lse, new float[2 * tt]));
        run(new TaskGraph("attb").transferToDevice(DataTransferMode.EVERY_EXECUTION, a, starts, scalars)
                .task("s", AttentionKernel::backwardScores, a, PAD, PAD + n, PAD + 2 * n, lseAt, PAD + 3 * n, pAt, dsAt, heads, t, hs, scale,
                        starts, 0, scalars)
                .task("q", AttentionKernel::backwardQuery, a, PAD + n, dsAt, PAD + 4 * n, heads, t, hs)
                .task("kv", AttentionKernel::backwardKeyValue, a, PAD, PAD + 3 * n, pAt, dsAt, PAD + 5 * n, PAD + 6 * n, heads, t, hs)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, a));
        float[] all = unpadded(a, 7 * n);
        return Math.max(worst(dq, Arrays.copyOfRange(all, 4 * n, 5 * n)),
                Math.max(worst(dk, Arrays.copyOfRange(all, 5 * n, 6 * n)), worst(dv, Arrays.copyOfRange(all, 6 * n, 7 * n))));
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
        FloatArray gy = padded(y), gb = padded(bias), gdb = padded(dbias), gg = FloatArray.fromArray(g), gp = padded(g);
        FloatArray partial = new FloatArray(chunks), result = new FloatArray(3);
        result.set(2, 1f);                                                        // the largest norm allowed
        run(new TaskGraph("bc").transferToDevice(DataTransferMode.EVERY_EXECUTION, gy, gb, gdb, gg, gp, result)
                .task("bias", ElementwiseKernels::addBias, gy, PAD, gb, PAD, rows, n)
                .task("dbias", ElementwiseKernels::biasGradient, gp, PAD, gdb, PAD, rows, n)
                .task("sq", ClipKernels::sumSquares, gg, partial, len)
                .task("norm", ClipKernels::normAndFactor, partial, result, chunks)
                .task("scale", ClipKernels::scale, gg, result, len)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gy, gdb, gg, result));
        double normError = Math.abs(result.get(0) - norm) / (1 + norm);
        return Math.max(Math.max(worst(y2, unpadded(gy, rows * n)), worst(db2, unpadded(gdb, n))), Math.max(worst(g2, gg.toHeapArray()), normError));
    }

    /** LayerNorm backward (dx, and dscale and dshift added to) against {@code LayerNormKernels.backward}. */
    public static double layerNormBackward(int rows, int c, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, rows * c, 2f), scale = random(rng, c, 1f), shift = random(rng, c, 1f), dy = random(rng, rows * c, 1f);
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNormKernels.forward(x, 0, scale, shift, 1e-5f, out, mean, rstd, rows, c, Parallelism.SINGLE);
        float[] dx = new float[rows * c], dscale = random(rng, c, 1f), dshift = random(rng, c, 1f);   // gradients are added to
        // x, dy, dx, mean and rstd in one array (activations), scale in another (parameters), dscale and dshift in a third (gradients)
        int n = rows * c;
        FloatArray acts = padded(concat(x, dy, new float[n], mean, rstd)), w = padded(scale), g = padded(concat(dscale, dshift));
        LayerNormKernels.backward(x, 0, dy, 0, scale, mean, rstd, dx, dscale, dshift, rows, c, Parallelism.SINGLE);
        int meanAt = PAD + 3 * n, rstdAt = meanAt + rows;
        run(new TaskGraph("lnb").transferToDevice(DataTransferMode.EVERY_EXECUTION, acts, w, g)
                .task("dx", RowKernels::layerNormBackwardInput, acts, PAD, PAD + n, meanAt, rstdAt, PAD + 2 * n, w, PAD, rows, c)
                .task("dp", RowKernels::layerNormBackwardParams, acts, PAD, PAD + n, meanAt, rstdAt, g, PAD, PAD + c, rows, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, acts, g));
        float[] grads = unpadded(g, 2 * c);
        return Math.max(worst(dx, Arrays.copyOfRange(unpadded(acts, 3 * n), 2 * n, 3 * n)),
                Math.max(worst(dscale, Arrays.copyOf(grads, c)), worst(dshift, Arrays.copyOfRange(grads, c, 2 * c))));
    }

    /** GELU forward and backward against the scalar references; the larger of the two differences. */
    public static double gelu(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, n, 3f), dy = random(rng, n, 1f), out = new float[n], dx = new float[n];
        GeluKernels.forwardScalar(x, 0, out, 0, n);
        GeluKernels.backwardScalar(x, 0, dy, 0, dx, 0, n);
        FloatArray a = padded(concat(x, dy, new float[2 * n]));                // x, dy, out, dx
        run(new TaskGraph("gelu").transferToDevice(DataTransferMode.EVERY_EXECUTION, a)
                .task("f", ElementwiseKernels::geluForward, a, PAD, PAD + 2 * n, n)
                .task("b", ElementwiseKernels::geluBackward, a, PAD, PAD + n, PAD + 3 * n, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, a));
        float[] all = unpadded(a, 4 * n);
        return Math.max(worst(out, Arrays.copyOfRange(all, 2 * n, 3 * n)), worst(dx, Arrays.copyOfRange(all, 3 * n, 4 * n)));
    }

    /**
     * One AdamW step (step 3, lr 4e-4, weight decay 0.1) against {@code AdamWKernels.updateReference}, over the
     * numbers from a third of the way to the last but one (a run of parameters that train): the others stay as they
     * were on both sides.
     */
    public static double adamW(int n, long seed) {
        Random rng = new Random(seed);
        float[] p = random(rng, n, 1f), g = random(rng, n, 0.1f), m = random(rng, n, 0.01f), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Math.abs(rng.nextFloat()) * 1e-3f;
        FloatArray dp = FloatArray.fromArray(p), dg = FloatArray.fromArray(g), dm = FloatArray.fromArray(m), dv = FloatArray.fromArray(v);
        float lr = 4e-4f, decay = 1 - lr * 0.1f, stepSize = (float) (lr / (1 - Math.pow(0.9, 3))), c2 = (float) Math.sqrt(1 - Math.pow(0.999, 3));
        int from = n / 3, to = n - 1;
        AdamWKernels.updateReference(p, 0, g, 0, m, v, from, to, decay, 0.1f, 0.999f, 0.001f, stepSize, c2, 1e-8f);
        FloatArray scalars = FloatArray.fromArray(new float[] {decay, 0.1f, 0.999f, 0.001f, stepSize, c2, 1e-8f});
        run(new TaskGraph("adamw").transferToDevice(DataTransferMode.EVERY_EXECUTION, dp, dg, dm, dv, scalars)
                .task("t", ElementwiseKernels::adamWStep, dp, dg, dm, dv, from, to - from, scalars)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dp, dm, dv));
        return Math.max(worst(p, dp.toHeapArray()), Math.max(worst(m, dm.toHeapArray()), worst(v, dv.toHeapArray())));
    }

    /** LayerNorm forward (output, mean, rstd) against {@code LayerNormKernels.forward}. */
    public static double layerNorm(int rows, int c, long seed) {
        Random rng = new Random(seed);
        float[] x = random(rng, rows * c, 2f), scale = random(rng, c, 1f), shift = random(rng, c, 1f);
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNormKernels.forward(x, 0, scale, shift, 1e-5f, out, mean, rstd, rows, c, Parallelism.SINGLE);
        int n = rows * c;                                   // x, out, mean and rstd in one array, scale and shift in another
        FloatArray acts = padded(new float[2 * n + 2 * rows]), w = padded(concat(scale, shift));
        for (int i = 0; i < n; i++) acts.set(PAD + i, x[i]);
        run(new TaskGraph("ln").transferToDevice(DataTransferMode.EVERY_EXECUTION, acts, w)
                .task("t", RowKernels::layerNormForward, acts, PAD, PAD + n, PAD + 2 * n, PAD + 2 * n + rows, w, PAD, PAD + c, rows, c, 1e-5f)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, acts));
        float[] st = Arrays.copyOfRange(unpadded(acts, 2 * n + 2 * rows), 2 * n, 2 * n + 2 * rows);
        return Math.max(worst(out, Arrays.copyOfRange(unpadded(acts, 2 * n), n, 2 * n)),
                Math.max(worst(mean, Arrays.copyOf(st, rows)), worst(rstd, Arrays.copyOfRange(st, rows, 2 * rows))));
    }

    /**
     * Cross-entropy forward (the mean loss) and backward (dlogits) against {@code CrossEntropyKernels}, with every
     * fifth row's target -100 (ignored, as padding is in instruction fine-tuning).
     */
    public static double crossEntropy(int rows, int v, long seed) {
        Random rng = new Random(seed);
        float[] logits = random(rng, rows * v, 3f);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = r % 5 == 4 ? -100 : rng.nextInt(v);
        float[] probs = new float[rows * v];
        var sum = CrossEntropyKernels.forward(logits, 0, targets, -100, probs, rows, v, Parallelism.SINGLE);
        CrossEntropyKernels.backward(probs, targets, -100, 1f / sum.count(), rows, v, Parallelism.SINGLE);   // probs now hold dlogits
        FloatArray dl = padded(logits), dLoss = new FloatArray(rows), scale = new FloatArray(rows);
        for (int r = 0; r < rows; r++) {                     // a weight per row, as a loss of whole sequences sets them
            float weight = 1 + r % 3;
            scale.set(r, weight / sum.count());
            for (int j = 0; j < v; j++) probs[r * v + j] *= weight;
        }
        IntArray dt = IntArray.fromArray(targets);
        run(new TaskGraph("ce").transferToDevice(DataTransferMode.EVERY_EXECUTION, dl, dt, scale)
                .task("f", RowKernels::crossEntropyForward, dl, PAD, dt, dLoss, rows, v)
                .task("b", RowKernels::crossEntropyBackward, dl, PAD, dt, rows, v, scale)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, dLoss, dl));
        double total = 0;
        for (float l : dLoss.toHeapArray()) total += l;
        double mean = total / sum.count();
        float[] grads = unpadded(dl, rows * v);
        return Math.max(Math.abs(sum.mean() - mean) / (1 + Math.abs(sum.mean())), worst(probs, grads));
    }
}
