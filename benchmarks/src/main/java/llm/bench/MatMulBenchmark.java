package llm.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import llm.tensor.Parallelism;

/**
 * Matrix multiply {@code C (M, N) = A (M, K) · B (K, N)} on the shapes that matter: squares, and the four
 * GPT-2 124M products of a batch of 1024 tokens (attention's fused QKV projection, the feed-forward up and
 * down projections, the output head), plus the two backward products of the feed-forward up projection.
 *
 * <p>{@code layout} says how the operands lie in memory, as a linear layer sees them: {@code nn} is A·B with
 * both row-major; {@code nt} is {@code x·Wᵀ} with W stored (N, K) (the forward pass of a linear layer, and
 * its input gradient); {@code tn} is {@code Aᵀ·B} with A stored (K, M) (the weight gradient). Time per
 * product is reported; GFLOP/s = 2·M·N·K / time. {@code benchmarks/matmul_report.py} turns the JSON result
 * into GFLOP/s beside numpy's OpenBLAS on the same shapes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
public class MatMulBenchmark {

    /** {@code MxKxN:layout}. */
    @Param({"256x256x256:nn", "512x512x512:nn", "1024x1024x1024:nn", "2048x2048x2048:nn",
            "1024x768x2304:nt", "1024x768x3072:nt", "1024x3072x768:nt", "1024x768x50257:nt",
            "1024x3072x768:nt-backward-dx", "768x1024x3072:tn-backward-dw"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private MatMulProblem problem;
    private Parallelism par;

    @Setup(Level.Trial)
    public void setUp() {
        problem = MatMulProblem.of(shape);
        par = new Parallelism(threads);
    }

    @Benchmark
    public float[] gemm() {
        problem.multiply(par);
        return problem.c();
    }
}
