package llm.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * How many threads the heavy kernels (matrix multiply above all) may use, and the helper threads that run
 * them.
 *
 * <p>{@link #DEFAULT} has as many threads as the JVM sees cores, or the number given with {@code
 * -Dllm.threads=N}. Code that wants another count, a benchmark measuring 1 and 2 threads say, makes its
 * own {@code new Parallelism(n)} and passes it to the kernel: nothing global changes.
 *
 * <p>The calling thread does its share of the work: a {@code Parallelism} of {@code n} threads keeps {@code
 * n - 1} helpers. So exactly {@code n} threads compute, never {@code n + 1} competing for {@code n} cores
 * (a pool that lets the caller wait while {@code n} workers run, and sometimes also helps, made the 2-thread
 * matrix multiply vary between 67 and 134 GFLOP/s from run to run on a 2-core machine).
 */
public final class Parallelism {
    /** The machine's cores, or {@code -Dllm.threads}. */
    public static final Parallelism DEFAULT = new Parallelism(
            Integer.getInteger("llm.threads", Runtime.getRuntime().availableProcessors()));
    /** Everything on the calling thread. */
    public static final Parallelism SINGLE = new Parallelism(1);

    private final int threads;
    private final ExecutorService helpers;

    public Parallelism(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Parallelism: threads must be at least 1, got " + threads);
        this.threads = threads;
        this.helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "llm-compute");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all are done.
     * Tasks are claimed one at a time by the caller and the helpers, in any order, so each must write to its
     * own part of the output. The first exception a task throws is rethrown here.
     */
    public void forEach(int tasks, IntConsumer body) {
        if (helpers == null || tasks <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure.get() == null) body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = 0; h < Math.min(threads, tasks) - 1; h++) helpers.execute(worker);
        worker.run();
        // Wait for the tasks, not for the helpers: a helper that starts late finds nothing left to claim.
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error err) throw err;
        if (e != null) throw new RuntimeException(e);
    }
}
