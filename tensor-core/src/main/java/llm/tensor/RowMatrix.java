package llm.tensor;

/**
 * A {@code (rows, cols)} weight matrix stored row by row for the matrix-vector product {@code y = W · x}, the one
 * product of generating a token at batch 1 (a {@code Linear}'s {@code x · Wᵀ} for one row of {@code x}). Each format
 * ({@link WeightFormat}) has a plain loop ({@link #matVecScalar}) beside its Vector API kernel ({@link #matVec}).
 */
public sealed interface RowMatrix permits F32Rows, Bf16Rows, Int8Rows {
    /** Rows rarely run alone: four at a time keep four weight streams in flight (generation waits on memory). */
    int ROW_BLOCK = 4;

    int rows();

    int cols();

    /** Bytes the stored weights (and int8's scales) take. */
    long bytes();

    /** Reference: {@code y[yo + r] = Σ_i w(r, i) · x[xo + i]} for rows {@code r} in {@code [from, to)}. */
    void matVecScalar(float[] x, int xo, float[] y, int yo, int from, int to);

    /** {@link #matVecScalar} with the Vector API (or the plain loop under {@code -Dllm.scalar=true}). */
    void matVec(float[] x, int xo, float[] y, int yo, int from, int to);

    /** Row {@code r} as floats into {@code dst[offset ..]} (what the format keeps of the original row). */
    void row(int r, float[] dst, int offset);

    /**
     * {@code y[yo ..] = W · x[xo ..]}, the rows split into four blocks per thread that the threads claim as they go.
     * One block per thread was slower at 2 threads: two cores rarely read memory equally fast, and with one block
     * each the faster one waits (GPT-2's bf16 head: 26 GB/s in two blocks, 34 GB/s in eight, on a machine that sums
     * at 40). Smaller blocks still (64K weights each) measured the same, within this machine's noise.
     */
    default void matVec(float[] x, int xo, float[] y, int yo, Parallelism par) {
        int blocks = (rows() + ROW_BLOCK - 1) / ROW_BLOCK;
        int tasks = par.threads() == 1 ? 1 : Math.min(blocks, 4 * par.threads());
        int chunk = (blocks + tasks - 1) / tasks * ROW_BLOCK;
        par.forEach((rows() + chunk - 1) / chunk, t -> matVec(x, xo, y, yo, t * chunk, Math.min(rows(), (t + 1) * chunk)));
    }
}
