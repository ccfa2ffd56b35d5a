package llm.bench;

import java.util.Arrays;
import java.util.List;

import llm.autograd.Tensor;
import llm.distributed.Mpi;
import llm.distributed.MpiDataParallel;
import llm.tensor.NDArray;

/**
 * All-reduce throughput of the data-parallel gradient average ({@link MpiDataParallel#averageGradients}) for
 * {@code N} floats (GPT-2 124M's gradients: 124,439,808), copies in and out of the native bucket included: run under
 * {@code mpirun -np 2}. Prints the median of the repeats in GB/s of gradient bytes, which the docs set beside the
 * machine's memory bandwidth ({@code BandwidthBenchmark}).
 *
 * {@snippet :
 * mpirun -np 2 --allow-run-as-root java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx4g \
 *     -cp benchmarks/target/benchmarks.jar llm.bench.AllReduceBench 124439808 5
 * }
 */
public final class AllReduceBench {
    private AllReduceBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 124_439_808;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Mpi mpi = Mpi.init();
        MpiDataParallel dp = new MpiDataParallel(mpi);
        Tensor p = Tensor.parameter(NDArray.zeros(n));
        p.accumulateGrad(NDArray.full(1f, n));
        double[] seconds = new double[repeats];
        for (int r = -1; r < repeats; r++) {        // one warm-up
            mpi.barrier();
            long start = System.nanoTime();
            dp.averageGradients(List.of(p));
            double s = (System.nanoTime() - start) / 1e9;
            if (r >= 0) seconds[r] = s;
        }
        if (p.grad().get(0) != 1f) throw new IllegalStateException("the mean of ones is " + p.grad().get(0));
        Arrays.sort(seconds);
        // the yardstick, in the same run: one copy of the same bytes within this process's memory
        float[] from = p.grad().storage(), to = new float[n];
        double[] copy = new double[repeats];
        for (int r = -1; r < repeats; r++) {
            long start = System.nanoTime();
            System.arraycopy(from, 0, to, 0, n);
            if (r >= 0) copy[r] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(copy);
        if (mpi.rank() == 0) {
            double gb = 4.0 * n / 1e9;
            System.out.printf("all-reduce of %,d floats (%.2f GB) over %d ranks: median %.3f s = %.2f GB/s (range %.3f-%.3f s); "
                            + "System.arraycopy of the same bytes: %.3f s = %.2f GB/s%n",
                    n, gb, mpi.size(), seconds[repeats / 2], gb / seconds[repeats / 2], seconds[0], seconds[repeats - 1], copy[repeats / 2], gb / copy[repeats / 2]);
        }
        mpi.close();
    }
}
