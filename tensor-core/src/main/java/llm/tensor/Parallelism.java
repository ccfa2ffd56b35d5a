package llm.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * How many threads the heavy kernels (matrix multiply above all) may use, and the pool that runs them.
 *
 * <p>{@link #DEFAULT} has as many threads as the JVM sees cores, or the number given with {@code
 * -Dllm.threads=N}. Code that wants another count, a benchmark measuring 1 and 2 threads say, makes its
 * own {@code new Parallelism(n)} and passes it to the kernel: nothing global changes.
 */
public final class Parallelism {
    /** The machine's cores, or {@code -Dllm.threads}. */
    public static final Parallelism DEFAULT = new Parallelism(
            Integer.getInteger("llm.threads", Runtime.getRuntime().availableProcessors()));
    /** Everything on the calling thread. */
    public static final Parallelism SINGLE = new Parallelism(1);

    private final int threads;
    private final ForkJoinPool pool;

    public Parallelism(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Parallelism: threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all are done.
     * Tasks run on the pool's threads in any order, so each must write to its own part of the output.
     */
    public void forEach(int tasks, IntConsumer body) {
        if (pool == null || tasks <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        pool.invoke(new Range(0, tasks, body));
    }

    /** Splits a range of task numbers in halves until single tasks remain (fork/join). */
    private static final class Range extends RecursiveAction {
        private final int from, to;
        private final IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }
}
