package llm.distributed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.training.DataParallel;

/**
 * Data parallelism without MPI, for learning and for tests: {@code n} ranks in one JVM, one thread each, exchanging
 * through shared arrays at a barrier. The arithmetic is the one {@link MpiDataParallel} does over MPI (broadcast
 * from rank 0, the mean of the gradients), so an example can show appendix A.9's point, that the mean of the ranks'
 * gradients on their shares is the gradient of the whole batch, in one process.
 */
public final class ThreadRanks {
    private final int n;
    private final CyclicBarrier barrier;
    private final float[][] slots;
    private final double[] scalars;

    public ThreadRanks(int n) {
        if (n < 1) throw new IllegalArgumentException("at least one rank, got " + n);
        this.n = n;
        this.barrier = new CyclicBarrier(n);
        this.slots = new float[n][];
        this.scalars = new double[n];
    }

    /** The view of rank {@code r}, to be used by one thread only. */
    public DataParallel rank(int r) {
        if (r < 0 || r >= n) throw new IllegalArgumentException("rank " + r + " of " + n);
        return new DataParallel() {
            @Override
            public int rank() {
                return r;
            }

            @Override
            public int worldSize() {
                return n;
            }

            @Override
            public void broadcastFromRankZero(Collection<Tensor> parameters) {
                List<NDArray> arrays = new ArrayList<>();
                for (Tensor p : parameters) arrays.add(p.data());
                if (r == 0) slots[0] = flatten(arrays);
                await();
                if (r != 0) unflatten(slots[0], arrays, 1f);
                await();
            }

            @Override
            public void averageGradients(Collection<Tensor> parameters) {
                List<NDArray> grads = new ArrayList<>();
                for (Tensor p : parameters) {
                    if (!p.requiresGrad()) continue;
                    if (p.grad() == null) p.accumulateGrad(NDArray.zeros(p.shape()));
                    grads.add(p.grad());
                }
                slots[r] = flatten(grads);
                await();
                float[] sum = new float[slots[r].length];
                for (float[] s : slots) for (int i = 0; i < sum.length; i++) sum[i] += s[i];   // the same order on every rank
                await();
                unflatten(sum, grads, 1f / n);
            }

            @Override
            public double average(double value) {
                scalars[r] = value;
                await();
                double total = 0;
                for (double v : scalars) total += v;
                await();
                return total / n;
            }
        };
    }

    private void await() {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException("a rank stopped while the others waited for it", e);
        }
    }

    private static float[] flatten(List<NDArray> arrays) {
        int total = 0;
        for (NDArray a : arrays) total += a.numel();
        float[] out = new float[total];
        int k = 0;
        for (NDArray a : arrays) {
            float[] v = a.contiguous().toArray();
            System.arraycopy(v, 0, out, k, v.length);
            k += v.length;
        }
        return out;
    }

    private static void unflatten(float[] flat, List<NDArray> arrays, float scale) {
        int k = 0;
        for (NDArray a : arrays) {
            float[] s = a.storage();
            for (int i = 0; i < a.numel(); i++) s[a.offset() + i] = flat[k++] * scale;
        }
    }
}
