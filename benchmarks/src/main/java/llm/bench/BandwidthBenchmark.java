package llm.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import llm.tensor.BinaryOp;
import llm.tensor.ElementwiseKernels;
import llm.tensor.NDArray;
import llm.tensor.ReductionKernels;
import llm.tensor.SeededRandom;
import llm.tensor.SoftmaxKernels;

/**
 * Memory-bound kernels on arrays far larger than the caches (16M floats, 64 MB each), scalar reference and
 * Vector API version side by side, with {@code System.arraycopy} as the machine's bandwidth yardstick.
 * Bytes moved per call: copy 2·4n, add 3·4n, sum 4n, softmax 2·4n (plus a re-read of the output); GB/s =
 * bytes / time ({@code benchmarks/bandwidth_report.py} computes them).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
public class BandwidthBenchmark {
    @Param({"16777216"})
    public int n;

    /** Row length for softmax: GPT-2's vocabulary. */
    private static final int ROW = 50257;

    private float[] x, y, out;

    @Setup
    public void setUp() {
        SeededRandom rng = new SeededRandom(3);
        x = NDArray.randn(rng, n).toArray();
        y = NDArray.randn(rng, n).toArray();
        out = new float[n];
    }

    @Benchmark
    public float[] copyArraycopy() {
        System.arraycopy(x, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] addScalar() {
        ElementwiseKernels.binaryScalar(BinaryOp.ADD, x, 0, 1, y, 0, 1, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] addVector() {
        ElementwiseKernels.binaryVector(BinaryOp.ADD, x, 0, 1, y, 0, 1, out, 0, n);
        return out;
    }

    @Benchmark
    public float sumScalar() {
        return ReductionKernels.sumScalar(x, 0, n);
    }

    @Benchmark
    public float sumVector() {
        return ReductionKernels.sumVector(x, 0, n);
    }

    @Benchmark
    public float[] softmaxRowsScalar() {
        for (int r = 0; r + ROW <= n; r += ROW) SoftmaxKernels.softmaxScalar(x, r, out, r, ROW);
        return out;
    }

    @Benchmark
    public float[] softmaxRowsVector() {
        for (int r = 0; r + ROW <= n; r += ROW) SoftmaxKernels.softmaxVector(x, r, out, r, ROW);
        return out;
    }
}
