package llm.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import llm.tensor.Gemm;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;

/**
 * The Java half of {@code benchmarks/matmul_side_by_side.py}: times our matrix multiply on request, so that a
 * Python driver can alternate it with numpy's OpenBLAS on the same shape, seconds apart.
 *
 * <p>Why not two separate runs: the project's machine is shared, and for stretches of seconds to minutes its
 * cores deliver half their usual speed (both busy, no steal time reported). Runs minutes apart then compare
 * one phase against another; measurements taken back to back share the phase, and the ratio of each pair is
 * meaningful even when the absolute numbers are not.
 *
 * <p>Protocol, one request per line on standard input: {@code MxKxN:layout reps} (layouts as in {@link
 * MatMulBenchmark}); the answer is one line, the seconds per product over {@code reps} products. An empty
 * line or end of input stops it. Threads: the first argument.
 */
public final class MatMulTimingServer {
    private MatMulTimingServer() {}

    /** One product's operands, made once per shape. */
    private record Operands(int m, int k, int n, float[] a, int aRs, int aCs, float[] b, int bRs, int bCs, float[] c) {
        static Operands of(String shape) {
            String[] parts = shape.split(":");
            String[] dims = parts[0].split("x");
            int m = Integer.parseInt(dims[0]), k = Integer.parseInt(dims[1]), n = Integer.parseInt(dims[2]);
            SeededRandom rng = new SeededRandom(1);
            float[] a = NDArray.rand(rng, m * k).toArray();
            float[] b = NDArray.rand(rng, k * n).toArray();
            boolean transA = parts[1].startsWith("tn"), transB = parts[1].startsWith("nt");
            return new Operands(m, k, n, a, transA ? 1 : k, transA ? m : 1, b, transB ? 1 : n, transB ? k : 1, new float[m * n]);
        }

        void multiply(Parallelism par) {
            Gemm.gemm(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, false, par);
        }
    }

    public static void main(String[] args) throws Exception {
        Parallelism par = new Parallelism(Integer.parseInt(args[0]));
        Map<String, Operands> operands = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.isBlank(); ) {
            String[] request = line.trim().split("\\s+");
            Operands op = operands.computeIfAbsent(request[0], Operands::of);
            int reps = Integer.parseInt(request[1]);
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) op.multiply(par);
            System.out.println((System.nanoTime() - start) / 1e9 / reps);
            System.out.flush();
        }
        System.exit(0); // the helper threads of Parallelism are daemons, but say so plainly
    }
}
