package llm.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>Helpers that have just finished a job poll for the next one for a while ({@code -Dllm.spinMicros}, 200 by
 * default) before they sleep, and the caller polls for the helpers' last task the same way. Waking a sleeping
 * thread costs about 25 µs on Linux, as long as a matrix-vector product of generation takes on one core: with a
 * sleeping pool, two threads generated a token barely faster than one.
 */
public final class Parallelism {
    /** The machine's cores, or {@code -Dllm.threads}. */
    public static final Parallelism DEFAULT = new Parallelism(
            Integer.getInteger("llm.threads", Runtime.getRuntime().availableProcessors()));
    /** Everything on the calling thread. */
    public static final Parallelism SINGLE = new Parallelism(1);

    /** How long a thread polls for work (a helper) or for the helpers' last task (the caller) before it sleeps. */
    private static final long SPIN_NANOS = Long.getLong("llm.spinMicros", 200) * 1000;

    private final int threads;
    private final Helper[] helpers;
    private final AtomicLong epoch = new AtomicLong();  // bumped by every forEach: what an idle helper watches
    private volatile Job job;                           // the newest forEach's tasks, which helpers join

    public Parallelism(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Parallelism: threads must be at least 1, got " + threads);
        this.threads = threads;
        this.helpers = new Helper[threads - 1];
        for (int h = 0; h < helpers.length; h++) {
            helpers[h] = new Helper();
            helpers[h].start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all are done.
     * Tasks are claimed one at a time by the caller and the helpers, in any order, so each must write to its
     * own part of the output. The first exception a task throws is rethrown here (later tasks are skipped).
     */
    public void forEach(int tasks, IntConsumer body) {
        if (helpers.length == 0 || tasks <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Job j = new Job(tasks, body);
        job = j;
        epoch.incrementAndGet();
        for (int h = 0; h < Math.min(helpers.length, tasks - 1); h++) if (helpers[h].sleeping) LockSupport.unpark(helpers[h]);
        j.work();                                       // the caller's share; it finishes every task if helpers are late
        j.await();
        Throwable e = j.failure.get();
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error err) throw err;
        if (e != null) throw new RuntimeException(e);
    }

    /**
     * One forEach's tasks. Whoever joins claims tasks until none is left, so the caller alone completes a job
     * nobody helps with; a job is never lost when a newer one replaces it in {@link #job}.
     */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile Thread waiter;                         // the caller, once it sleeps

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        void work() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure.get() == null) body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (done.incrementAndGet() == tasks) {
                        Thread w = waiter;
                        if (w != null) LockSupport.unpark(w);
                    }
                }
            }
        }

        /** Returns when every task is done: polls a while, then sleeps until the last task's thread wakes it. */
        void await() {
            long start = System.nanoTime();
            while (done.get() < tasks && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            if (done.get() == tasks) return;
            waiter = Thread.currentThread();
            boolean interrupted = false;
            // waiter is written before done is read again, and the last task reads waiter after counting itself
            // done: one of the two sees the other, so this thread is never left asleep
            while (done.get() < tasks) {
                LockSupport.park(this);
                if (Thread.interrupted()) interrupted = true;
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** A helper thread: joins each new job, polls for the next one a while, then sleeps until a forEach wakes it. */
    private final class Helper extends Thread {
        volatile boolean sleeping;

        Helper() {
            super("llm-compute");
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long e = epoch.get();
                if (e != seen) {
                    seen = e;
                    job.work();
                    continue;
                }
                long start = System.nanoTime();
                while (epoch.get() == seen && System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                if (epoch.get() != seen) continue;
                sleeping = true;
                // sleeping is written before epoch is read again, and forEach reads sleeping after bumping epoch
                if (epoch.get() == seen) LockSupport.park(this);
                sleeping = false;
                Thread.interrupted();                   // a helper is never interrupted on purpose; do not spin on a stray flag
            }
        }
    }
}
