package llm.bench;

import java.util.concurrent.CountDownLatch;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's floating-point limit, measured: each thread runs a loop of fused multiply-adds on twelve independent
 * vectors held in registers (no memory traffic), enough to cover the FMA's latency on both FMA units of a core.
 * Prints GFLOP/s for 1 thread and for {@code threads}; training MFU is a step's model FLOPs over its time times
 * this ({@link ModelFlops}).
 *
 * {@snippet :
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar llm.bench.FmaPeak 2
 * }
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FmaPeak() {}

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < 3; i++) run(1, 50_000_000L);                 // compile the loop
        System.out.printf("fma peak: %d lanes, 1 thread %.1f GFLOP/s%n", F.length(), best(1));
        if (threads > 1) System.out.printf("fma peak: %d threads %.1f GFLOP/s%n", threads, best(threads));
    }

    static double best(int threads) throws InterruptedException {
        double best = 0;
        for (int r = 0; r < 5; r++) best = Math.max(best, run(threads, 400_000_000L));
        return best;
    }

    /** GFLOP/s of {@code threads} threads each doing {@code iterations} steps of 12 vector FMAs. */
    static double run(int threads, long iterations) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        float[] sink = new float[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                sink[id] = loop(iterations);
            });
            ts[t].start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : ts) t.join();
        double seconds = (System.nanoTime() - t0) / 1e9;                  // each loop's result is stored in sink: it cannot be dropped
        return 2.0 * 12 * F.length() * iterations * threads / seconds / 1e9;
    }

    static float loop(long iterations) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f), a = FloatVector.broadcast(F, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(F, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
