package llm.distributed;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.training.DataParallel;

/**
 * Data parallelism over MPI (Book appendix A.9, PyTorch's DDP on Gloo or NCCL): parameters are broadcast from rank
 * 0 once; after each backward pass the gradients are summed across processes with {@code MPI_Allreduce} and divided
 * by the number of processes.
 *
 * <p>Gradients travel in buckets of up to {@link #BUCKET_FLOATS} floats (25 MB, DDP's default bucket size): each
 * bucket is copied from the Java arrays into one native buffer, reduced in place, and copied back, so the number of
 * MPI calls is the number of buckets, not of tensors. The all-reduce runs after the whole backward pass, not
 * overlapped with it: the backward here runs on every core already, and a second thread driving MPI while the
 * kernels run would compete with them for the same cores (the docs give the measured split).
 */
public final class MpiDataParallel implements DataParallel {
    /** Floats per bucket: 25 MB. */
    public static final int BUCKET_FLOATS = 25 * 1024 * 1024 / 4;

    private final Mpi mpi;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment bucket = arena.allocate(ValueLayout.JAVA_FLOAT, BUCKET_FLOATS);
    private final MemorySegment scalar = arena.allocate(ValueLayout.JAVA_DOUBLE, 1);

    public MpiDataParallel(Mpi mpi) {
        this.mpi = mpi;
    }

    @Override
    public int rank() {
        return mpi.rank();
    }

    @Override
    public int worldSize() {
        return mpi.size();
    }

    @Override
    public void broadcastFromRankZero(Collection<Tensor> parameters) {
        List<NDArray> arrays = new ArrayList<>();
        for (Tensor p : parameters) arrays.add(p.data());
        inBuckets(arrays, (count) -> mpi.broadcast(bucket, count, 0), 1f);
    }

    @Override
    public void averageGradients(Collection<Tensor> parameters) {
        List<NDArray> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            if (!p.requiresGrad()) continue;
            if (p.grad() == null) p.accumulateGrad(NDArray.zeros(p.shape()));   // every process must send the same buckets
            grads.add(p.grad());
        }
        inBuckets(grads, (count) -> mpi.allReduceSum(bucket, count), 1f / mpi.size());
    }

    @Override
    public double average(double value) {
        scalar.set(ValueLayout.JAVA_DOUBLE, 0, value);
        mpi.allReduceSumDoubles(scalar, 1);
        return scalar.get(ValueLayout.JAVA_DOUBLE, 0) / mpi.size();
    }

    @FunctionalInterface
    private interface BucketOp {
        void apply(int count);
    }

    /** Packs arrays into the native bucket in order, runs {@code op} on each full bucket, and unpacks scaled by {@code scale}. */
    private void inBuckets(List<NDArray> arrays, BucketOp op, float scale) {
        int filled = 0;
        List<long[]> pending = new ArrayList<>();       // {array index, offset in array, count, offset in bucket}
        for (int i = 0; i < arrays.size(); i++) {
            NDArray a = arrays.get(i);
            if (!a.isContiguous()) throw new IllegalStateException("data parallel: array " + i + " is not contiguous");
            int n = a.numel(), done = 0;
            while (done < n) {
                int take = Math.min(n - done, BUCKET_FLOATS - filled);
                MemorySegment.copy(a.storage(), a.offset() + done, bucket, ValueLayout.JAVA_FLOAT, (long) filled * 4, take);
                pending.add(new long[] {i, done, take, filled});
                filled += take;
                done += take;
                if (filled == BUCKET_FLOATS) {
                    flush(arrays, pending, filled, op, scale);
                    filled = 0;
                }
            }
        }
        if (filled > 0) flush(arrays, pending, filled, op, scale);
    }

    private void flush(List<NDArray> arrays, List<long[]> pending, int filled, BucketOp op, float scale) {
        op.apply(filled);
        for (long[] p : pending) {
            NDArray a = arrays.get((int) p[0]);
            MemorySegment.copy(bucket, ValueLayout.JAVA_FLOAT, p[3] * 4, a.storage(), a.offset() + (int) p[1], (int) p[2]);
            if (scale != 1f) {
                float[] s = a.storage();
                for (int k = a.offset() + (int) p[1], end = k + (int) p[2]; k < end; k++) s[k] *= scale;
            }
        }
        pending.clear();
    }
}
