package llm.gpu;

import java.util.Random;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * For a machine without Maven (the GPU machine): runs every kernel on the default TornadoVM device beside its CPU
 * reference ({@link KernelChecks}), and times both matmul kernels (tiled, and register-blocked) on GPT-2 124M's
 * products at 4 × 256 tokens (inputs copied once, the output left on the device), printing GFLOP/s beside the shape:
 * the run that decides which kernel {@code -Dllm.gpu.matmul} should default to.
 *
 * {@snippet :
 * java @$TORNADOVM_HOME/tornado-argfile --add-modules jdk.incubator.vector -cp gpu-tornado/target/classes:tensor-core/target/classes llm.gpu.GpuCheck
 * }
 */
public final class GpuCheck {
    private GpuCheck() {}

    public static void main(String[] args) throws Exception {
        System.out.printf("largest relative differences from the CPU references: matmul (forward, dx, dW) 65x31x100 %.1e, 1024x768x3072 %.1e, "
                        + "gelu %.1e, adamw %.1e, layernorm (1024 x 768) %.1e, layernorm backward %.1e, cross-entropy (64 x 50257) %.1e, "
                        + "embedding (1024 tokens, 50257 x 768) %.1e, attention (12 heads x 256 x 64) %.1e, blocked matmul 65x31x100 %.1e, 1024x768x3072 %.1e%n",
                KernelChecks.matmul(65, 31, 100, 1), KernelChecks.matmul(1024, 768, 3072, 2), KernelChecks.gelu(1 << 20, 3), KernelChecks.adamW(1 << 20, 4),
                KernelChecks.layerNorm(1024, 768, 5), KernelChecks.layerNormBackward(1024, 768, 9), KernelChecks.crossEntropy(64, 50257, 6),
                KernelChecks.embedding(1024, 50257, 768, 10), KernelChecks.attention(12, 256, 64, 0f, 11),
                KernelChecks.matmul(65, 31, 100, 1, true), KernelChecks.matmul(1024, 768, 3072, 2, true));
        Random rng = new Random(1);
        // GPT-2 124M at 4 x 256 tokens: the attention projections, the MLP's two products, the head
        int[][] shapes = {{1024, 2304, 768}, {1024, 768, 768}, {1024, 3072, 768}, {1024, 768, 3072}, {1024, 50257, 768}, {4096, 4096, 4096}};
        for (int[] s : shapes) {
            System.out.println(time(s[0], s[1], s[2], rng, false));
            System.out.println(time(s[0], s[1], s[2], rng, true));
        }
    }

    static String time(int m, int n, int k, Random rng, boolean blocked) throws Exception {
        FloatArray a = new FloatArray(m * k), b = new FloatArray(n * k), c = new FloatArray(m * n);
        for (int i = 0; i < m * k; i++) a.set(i, (float) rng.nextGaussian());
        for (int i = 0; i < n * k; i++) b.set(i, (float) rng.nextGaussian());
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("bench").transferToDevice(DataTransferMode.FIRST_EXECUTION, a, b);
        if (blocked) graph.task("t", MatMulKernel::matmulBlocked, ctx, a, 0, k, 1, b, 0, 1, k, c, 0, m, n, k);
        else graph.task("t", MatMulKernel::matmul, ctx, a, 0, k, 1, b, 0, 1, k, c, 0, m, n, k);
        graph.transferToHost(DataTransferMode.UNDER_DEMAND, c);
        WorkerGrid grid = blocked ? MatMulKernel.gridBlocked(m, n) : MatMulKernel.grid(m, n);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(new GridScheduler("bench.t", grid));
            plan.execute();                                   // compiles the kernel, copies the inputs
            int reps = 10;
            long best = Long.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                plan.execute();
                best = Math.min(best, System.nanoTime() - t0);
            }
            double flops = 2.0 * m * n * k;
            return String.format("%s matmul (%d, %d) x (%d, %d)^T: best of 10 %.3f ms = %.1f GFLOP/s", blocked ? "blocked" : "tiled", m, k, n, k, best / 1e6, flops / best);
        }
    }
}
