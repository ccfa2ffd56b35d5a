package llm.bench;

import llm.tensor.Gemm;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;

/**
 * One matrix product of the benchmarks, {@code C (M, N) = A (M, K) · B (K, N)}, from a spec {@code MxKxN:layout}
 * ({@code nn}, {@code nt...} for {@code x·Wᵀ}, {@code tn...} for {@code Aᵀ·B}; see {@link MatMulBenchmark}), with
 * seeded random operands laid out as the layout says.
 */
record MatMulProblem(int m, int k, int n, float[] a, int aRs, int aCs, float[] b, int bRs, int bCs, float[] c) {

    static MatMulProblem of(String spec) {
        String[] parts = spec.split(":");
        String[] dims = parts[0].split("x");
        int m = Integer.parseInt(dims[0]), k = Integer.parseInt(dims[1]), n = Integer.parseInt(dims[2]);
        SeededRandom rng = new SeededRandom(1);
        float[] a = NDArray.rand(rng, m * k).toArray();
        float[] b = NDArray.rand(rng, k * n).toArray();
        boolean transA = parts[1].startsWith("tn"), transB = parts[1].startsWith("nt");
        return new MatMulProblem(m, k, n, a, transA ? 1 : k, transA ? m : 1, b, transB ? 1 : n, transB ? k : 1, new float[m * n]);
    }

    /** {@code C = A·B} with the fast kernel. */
    void multiply(Parallelism par) {
        Gemm.gemm(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, n, false, par);
    }
}
