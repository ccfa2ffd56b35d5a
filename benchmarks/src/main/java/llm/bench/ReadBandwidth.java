package llm.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import llm.tensor.Parallelism;

/**
 * The memory read bandwidth that bounds generation at batch 1, measured in the benchmark's own run: every thread
 * sums its share of a 512 MB array of floats, and the best pass counts.
 *
 * <p>Two details decide whether the figure is the machine's or the probe's. Each thread reads four streams at
 * once, a quarter of its share each, as a decoder reads four weight rows: one stream per thread leaves the
 * prefetchers idle and measured 43 GB/s where four measured 49 (2 threads, AMD EPYC Zen 5). And the probe is
 * taken more than once ({@link #measure} before and between the benchmark's rounds) and the best kept: a single
 * probe of a tenth of a second, taken while the JIT compiler or the collector still has a core, read 27-31 GB/s
 * in some runs where it read 43-47 in others.
 */
final class ReadBandwidth {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final float[] data = new float[128 * 1024 * 1024];
    private final float[] sums;
    private final int threads;
    private double best;

    ReadBandwidth(int threads) {
        this.threads = threads;
        this.sums = new float[threads];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < data.length; i++) data[i] = (float) random.nextDouble();
        // Compiled first on a small array: the first passes of a cold JVM run interpreted at a few GB/s.
        for (int w = 0; w < 20_000; w++) sums[0] += sumFourStreams(data, 0, 4096);
    }

    /** Ten passes now; returns the best pass of this call in GB/s, and keeps the best of all calls for {@link #best}. */
    double measure() {
        Parallelism par = Parallelism.DEFAULT;
        int chunk = data.length / threads;
        double now = 0;
        for (int pass = 0; pass < 10; pass++) {
            long start = System.nanoTime();
            par.forEach(threads, t -> sums[t] += sumFourStreams(data, t * chunk, chunk));
            now = Math.max(now, data.length * 4.0 / ((System.nanoTime() - start) / 1e9) / 1e9);
        }
        if (sums[0] == 42f) System.out.print("");      // keeps the sums alive
        best = Math.max(best, now);
        return now;
    }

    /** The highest bandwidth any {@link #measure} call saw. */
    double best() {
        return best;
    }

    /** Sum of {@code x[from .. from+n)} read as four interleaved streams, each with its own accumulator. */
    private static float sumFourStreams(float[] x, int from, int n) {
        int q = n / 4 / F.length() * F.length();
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        for (int i = 0; i < q; i += F.length()) {
            a = a.add(FloatVector.fromArray(F, x, from + i));
            b = b.add(FloatVector.fromArray(F, x, from + q + i));
            c = c.add(FloatVector.fromArray(F, x, from + 2 * q + i));
            d = d.add(FloatVector.fromArray(F, x, from + 3 * q + i));
        }
        float s = a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
        for (int i = from + 4 * q; i < from + n; i++) s += x[i];
        return s;
    }
}
