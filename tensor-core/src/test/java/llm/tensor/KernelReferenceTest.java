package llm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

/** Every Vector API kernel against its scalar reference, on lengths that are not multiples of the vector width. */
class KernelReferenceTest {

    private static float[] random(long seed, int n) {
        return NDArray.randn(new SeededRandom(seed), n + 7).toArray();
    }

    @Test
    void binaryKernels() {
        qt().withExamples(200).forAll(integers().between(0, 70), integers().between(0, 3), integers().between(0, 1), longs().all())
                .checkAssert((n, opIndex, bStep, seed) -> {
                    BinaryOp op = new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}[opIndex];
                    float[] a = random(seed, n), b = random(seed + 1, n);
                    float[] ref = new float[n + 3], fast = new float[n + 3];
                    ElementwiseKernels.binaryScalar(op, a, 2, 1, b, 5, bStep, ref, 3, n);
                    ElementwiseKernels.binaryVector(op, a, 2, 1, b, 5, bStep, fast, 3, n);
                    for (int i = 0; i < ref.length; i++) assertEquals(ref[i], fast[i], 1e-6f * Math.abs(ref[i]), op + " at " + i);
                });
    }

    @Test
    void dropoutMasksDrawnOnThreadsAreTheSequentialDraws() {
        Parallelism three = new Parallelism(3);
        qt().withExamples(20).forAll(integers().between(0, 300_000), longs().all()).checkAssert((n, seed) -> {
            SeededRandom sequential = new SeededRandom(seed), threaded = new SeededRandom(seed), scaled = new SeededRandom(seed);
            boolean[] ref = DropoutKernels.keepNaive(n, 0.3f, sequential);
            assertArrayEquals(ref, DropoutKernels.keep(n, 0.3f, threaded, three));
            float[] mask = DropoutKernels.scaledMask(n, 0.3f, scaled, three);
            for (int i = 0; i < n; i++) assertEquals(ref[i] ? 1f / 0.7f : 0f, mask[i], 0f, "mask at " + i);
            long next = sequential.nextLong();                   // and each generator is left where the sequential one is
            assertEquals(next, threaded.nextLong());
            assertEquals(next, scaled.nextLong());
        });
    }

    @Test
    void reductionKernels() {
        qt().withExamples(200).forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n);
            assertEquals(ReductionKernels.sumScalar(x, 3, n), ReductionKernels.sumVector(x, 3, n), 1e-5f * n);
            assertEquals(ReductionKernels.maxScalar(x, 3, n), ReductionKernels.maxVector(x, 3, n), 0f);
        });
    }

    @Test
    void softmaxKernel() {
        qt().withExamples(200).forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n);
            float[] ref = new float[n], fast = new float[n];
            SoftmaxKernels.softmaxScalar(x, 1, ref, 0, n);
            SoftmaxKernels.softmaxVector(x, 1, fast, 0, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 2e-6f + 1e-5f * ref[i], "softmax at " + i);
        });
    }

    @Test
    void dotAndAxpy() {
        qt().withExamples(200).forAll(integers().between(0, 200), longs().all()).checkAssert((n, seed) -> {
            float[] x = random(seed, n), y = random(seed + 1, n);
            float ref = 0;
            for (int i = 0; i < n; i++) ref += x[1 + i] * y[2 + i];
            assertEquals(ref, DotKernels.dotVector(x, 1, y, 2, n), 1e-5f * (n + 1));
            float[] expected = y.clone(), actual = y.clone();
            for (int i = 0; i < n; i++) expected[2 + i] += 0.5f * x[1 + i];
            DotKernels.axpy(0.5f, x, 1, actual, 2, n);
            for (int i = 0; i < y.length; i++) assertEquals(expected[i], actual[i], 1e-6f);
        });
    }

    /** dot4 is four dots at once with each row's arithmetic unchanged: equal bit for bit, so results do not depend on grouping. */
    @Test
    void dot4EqualsFourDots() {
        qt().withExamples(200).forAll(integers().between(0, 200), longs().all()).checkAssert((n, seed) -> {
            int stride = n + 3;
            float[] x = random(seed, n), rows = random(seed + 1, 4 * stride + 2);
            float[] four = new float[4];
            DotKernels.dot4(x, 1, rows, 2, stride, n, four);
            for (int q = 0; q < 4; q++) assertEquals(DotKernels.dotVector(x, 1, rows, 2 + q * stride, n), four[q], "row " + q);
        });
    }

    @Test
    void geluKernels() {
        qt().withExamples(200).forAll(integers().between(0, 100), longs().all()).checkAssert((n, seed) -> {
            float[] x = NDArray.randn(new SeededRandom(seed), n + 3).mul(4f).toArray();
            float[] dy = NDArray.randn(new SeededRandom(seed + 1), n + 2).toArray();
            float[] ref = new float[n], fast = new float[n];
            GeluKernels.forwardScalar(x, 3, ref, 0, n);
            GeluKernels.forwardVector(x, 3, fast, 0, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 2e-6f * (1 + Math.abs(ref[i])), "forward " + i);
            GeluKernels.backwardScalar(x, 3, dy, 2, ref, 0, n);
            GeluKernels.backwardVector(x, 3, dy, 2, fast, 0, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], fast[i], 5e-6f * (1 + Math.abs(ref[i])), "backward " + i);
        });
    }

    /** The threaded GELU passes compute exactly what one thread computes, written at the given offset. */
    @Test
    void geluOnThreadsGivesTheOneThreadBits() {
        Parallelism three = new Parallelism(3);
        qt().withExamples(20).forAll(integers().between(0, 200_000), longs().all()).checkAssert((n, seed) -> {
            float[] x = NDArray.randn(new SeededRandom(seed), n + 3).mul(4f).toArray();
            float[] dy = NDArray.randn(new SeededRandom(seed + 1), n + 2).toArray();
            float[] one = new float[n + 5], threaded = new float[n + 5];
            GeluKernels.forward(x, 3, one, 5, n);
            GeluKernels.forward(x, 3, threaded, 5, n, three);
            assertArrayEquals(one, threaded);
            one = new float[n + 1];
            threaded = new float[n + 1];
            GeluKernels.backward(x, 3, dy, 2, one, 1, n);
            GeluKernels.backward(x, 3, dy, 2, threaded, 1, n, three);
            assertArrayEquals(one, threaded);
        });
    }

    /** The vector passes of LayerNorm do the scalar passes' float operations lane by lane: the same bits. */
    @Test
    void layerNormKernelsGiveTheReferenceBits() {
        qt().withExamples(100).forAll(integers().between(1, 70), longs().all()).checkAssert((c, seed) -> {
            float[] x = random(seed, c), w = random(seed + 1, c), b = random(seed + 2, c), dy = random(seed + 3, c);
            float[] ref = new float[c], fast = new float[c];
            LayerNormKernels.normaliseScalar(x, 2, 0.3f, 1.7f, w, b, ref, 0, c);
            LayerNormKernels.normaliseVector(x, 2, 0.3f, 1.7f, w, b, fast, 0, c);
            assertArrayEquals(ref, fast);
            float[] ds1 = random(seed + 4, c), dh1 = random(seed + 5, c), ds2 = ds1.clone(), dh2 = dh1.clone();
            LayerNormKernels.paramGradScalar(x, 1, dy, 3, 0.3f, 1.7f, ds1, dh1, c);
            LayerNormKernels.paramGradVector(x, 1, dy, 3, 0.3f, 1.7f, ds2, dh2, c);
            assertArrayEquals(ds1, ds2);
            assertArrayEquals(dh1, dh2);
        });
    }

    /** LayerNorm's forward and backward do not depend on the thread count. */
    @Test
    void layerNormIsIndependentOfThreads() {
        int rows = 37, c = 24;
        float[] x = random(5, rows * c), w = random(6, c), b = random(7, c), dy = random(8, rows * c);
        float[][] outs = new float[2][], dxs = new float[2][], dss = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows], dx = new float[rows * c], ds = new float[c], dh = new float[c];
            LayerNormKernels.forward(x, 1, w, b, 1e-5f, out, mean, rstd, rows, c, new Parallelism(threads));
            LayerNormKernels.backward(x, 1, dy, 2, w, mean, rstd, dx, ds, dh, rows, c, new Parallelism(threads));
            outs[threads - 1] = out;
            dxs[threads - 1] = dx;
            dss[threads - 1] = ds;
        }
        assertArrayEquals(outs[0], outs[1]);
        assertArrayEquals(dxs[0], dxs[1]);
        assertArrayEquals(dss[0], dss[1]);
    }

    @Test
    void adamWVectorKernelEqualsReferenceBitForBit() {
        qt().withExamples(60).forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            SeededRandom rng = new SeededRandom(seed);
            float[] p = NDArray.randn(rng, n).toArray(), g = NDArray.randn(rng, n).toArray();
            float[] m = NDArray.randn(rng, n).toArray(), v = NDArray.rand(rng, n).toArray();
            float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
            AdamWKernels.updateReference(p, 0, g, 0, m, v, 0, n, 0.99f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f);
            AdamWKernels.updateVector(p2, 0, g, 0, m2, v2, 0, n, 0.99f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f);
            assertArrayEquals(p, p2);
            assertArrayEquals(m, m2);
            assertArrayEquals(v, v2);
        });
    }

    @Test
    void embeddingScatterAddKernels() {
        qt().withExamples(100).forAll(integers().between(1, 40), integers().between(1, 30), longs().all()).checkAssert((n, c, seed) -> {
            int v = 7;
            int[] ids = new int[n];
            SeededRandom rng = new SeededRandom(seed);
            for (int t = 0; t < n; t++) ids[t] = (int) (rng.nextFloat() * v);   // ids repeat: their gradients add
            float[] dout = random(seed + 1, n * c), ref = new float[v * c], fast = new float[v * c];
            EmbeddingKernels.backwardScalar(dout, 3, ids, ref, n, c);
            EmbeddingKernels.backwardVector(dout, 3, ids, fast, n, c);
            assertArrayEquals(ref, fast);
        });
    }

    /**
     * The online-softmax and the blocked attention against the textbook order (all scores, softmax, weighted sum),
     * with and without dropout; up to 150 positions, so that the blocked version's tiles of 64 query rows end inside
     * a sequence and at its end.
     */
    @Test
    void attentionKernelsMatchTheReference() {
        qt().withExamples(60).forAll(integers().between(1, 150), integers().between(1, 20), integers().between(0, 1), longs().all())
                .checkAssert((t, hs, dropout, seed) -> {
                    int heads = 3, n = heads * t * hs;
                    float[] q = random(seed, n), k = random(seed + 1, n), v = random(seed + 2, n), dout = random(seed + 3, n);
                    boolean[] keep = dropout == 1 ? DropoutKernels.keepNaive(heads * t * t, 0.3f, new SeededRandom(seed)) : null;
                    float keepScale = 1f / 0.7f;
                    float[] out1 = new float[n], out2 = new float[n], lse1 = new float[heads * t], lse2 = new float[heads * t];
                    float[] out3 = new float[n], lse3 = new float[heads * t];
                    float[][] grads1 = {new float[n], new float[n], new float[n]}, grads2 = {new float[n], new float[n], new float[n]};
                    float[][] grads3 = {new float[n], new float[n], new float[n]};
                    for (int h = 0; h < heads; h++) {
                        AttentionKernels.forwardReference(q, k, v, keep, keepScale, out1, lse1, h, t, hs);
                        AttentionKernels.forward(q, k, v, keep, keepScale, out2, lse2, h, t, hs);
                        AttentionKernels.forwardBlocked(q, k, v, keep, keepScale, out3, lse3, h, t, hs);
                        AttentionKernels.backwardReference(q, k, v, keep, keepScale, lse1, dout, grads1[0], grads1[1], grads1[2], h, t, hs);
                        AttentionKernels.backward(q, k, v, keep, keepScale, out2, lse2, dout, grads2[0], grads2[1], grads2[2], h, t, hs);
                        AttentionKernels.backwardBlocked(q, k, v, keep, keepScale, out3, lse3, dout, grads3[0], grads3[1], grads3[2], h, t, hs);
                    }
                    for (float[] o : new float[][] {out2, out3}) assertClose(out1, o, 2e-5f, "out");
                    for (float[] l : new float[][] {lse2, lse3}) assertClose(lse1, l, 2e-5f, "lse");
                    for (float[][] g : new float[][][] {grads2, grads3}) {
                        assertClose(grads1[0], g[0], 5e-5f, "dq");
                        assertClose(grads1[1], g[1], 5e-5f, "dk");
                        assertClose(grads1[2], g[2], 5e-5f, "dv");
                    }
                });
    }

    /** Cross-entropy forward against the per-row definition; the backward is softmax minus one-hot, scaled. */
    @Test
    void crossEntropyKernels() {
        qt().withExamples(60).forAll(integers().between(1, 40), integers().between(2, 50), longs().all()).checkAssert((n, v, seed) -> {
            float[] logits = random(seed, n * v);
            int[] targets = new int[n];
            SeededRandom rng = new SeededRandom(seed + 1);
            for (int r = 0; r < n; r++) targets[r] = r % 5 == 4 ? -100 : (int) (rng.nextFloat() * v);
            float[] probs = new float[n * v];
            var sum = CrossEntropyKernels.forward(logits, 1, targets, -100, probs, n, v, new Parallelism(2));
            double expected = 0;
            int count = 0;
            for (int r = 0; r < n; r++) {
                if (targets[r] == -100) continue;
                double z = 0;
                for (int j = 0; j < v; j++) z += Math.exp(logits[1 + r * v + j]);
                expected += Math.log(z) - logits[1 + r * v + targets[r]];
                count++;
            }
            assertEquals(count, sum.count());
            assertEquals(expected, sum.total(), 1e-4 * (1 + Math.abs(expected)));
            float[] before = probs.clone();
            CrossEntropyKernels.backward(probs, targets, -100, 0.5f, n, v, Parallelism.SINGLE);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < v; j++) {
                    float want = targets[r] == -100 ? 0f : 0.5f * before[r * v + j] - (j == targets[r] ? 0.5f : 0f);
                    assertEquals(want, probs[r * v + j], 1e-6f, "row " + r + " class " + j);
                }
            }
        });
    }

    private static void assertClose(float[] want, float[] got, float tolerance, String what) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tolerance * (1 + Math.abs(want[i])), what + " at " + i);
    }
}
