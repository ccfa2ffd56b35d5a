package llm.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import llm.tensor.Parallelism;

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

    public static void main(String[] args) throws Exception {
        Parallelism par = new Parallelism(Integer.parseInt(args[0]));
        Map<String, MatMulProblem> problems = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.isBlank(); ) {
            String[] request = line.trim().split("\\s+");
            MatMulProblem problem = problems.computeIfAbsent(request[0], MatMulProblem::of);
            int reps = Integer.parseInt(request[1]);
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) problem.multiply(par);
            System.out.println((System.nanoTime() - start) / 1e9 / reps);
            System.out.flush();
        }
        System.exit(0); // the helper threads of Parallelism are daemons, but say so plainly
    }
}
