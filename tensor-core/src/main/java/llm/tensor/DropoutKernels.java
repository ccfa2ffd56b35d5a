package llm.tensor;

/**
 * The random masks of dropout (Book §3.5.2): which elements survive, drawn from a {@link SeededRandom}.
 *
 * <p>Two versions with the same result: {@link #keepNaive} draws one number after another, as the book's
 * {@code torch.nn.Dropout} does; {@link #keep} draws the same numbers on the threads of a {@link Parallelism},
 * each thread its own range (SplitMix64 gives the i-th number directly, {@link SeededRandom#skip}). A GPT-2 124M
 * training step at 4 × 256 tokens draws about 50 million of them, most for the attention weights; one thread
 * drawing them all while the other waited was 3-5 % of a two-thread step.
 */
public final class DropoutKernels {
    private DropoutKernels() {}

    /** Draws per task: large enough that a task outlasts waking a thread, small enough to share evenly. */
    private static final int CHUNK = 1 << 16;

    /** Reference: {@code keep[i] = rng.nextFloat() >= dropRate} for every i, in order. */
    public static boolean[] keepNaive(int n, float dropRate, SeededRandom rng) {
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) keep[i] = rng.nextFloat() >= dropRate;
        return keep;
    }

    /** {@link #keepNaive} on the threads of {@code par}: the same array, and {@code rng} left in the same state. */
    public static boolean[] keep(int n, float dropRate, SeededRandom rng, Parallelism par) {
        boolean[] keep = new boolean[n];
        long start = rng.skip(n);
        par.forEach((n + CHUNK - 1) / CHUNK, c -> {
            for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) keep[i] = SeededRandom.floatAt(start, i) >= dropRate;
        });
        return keep;
    }

    /**
     * The scaled mask of inverted dropout: {@code 1/(1-dropRate)} where an element survives, 0 where it is dropped,
     * drawn as {@link #keep} draws (element i survives when the i-th number is at least {@code dropRate}).
     */
    public static float[] scaledMask(int n, float dropRate, SeededRandom rng, Parallelism par) {
        float keepScale = 1f / (1f - dropRate);
        float[] mask = new float[n];
        long start = rng.skip(n);
        par.forEach((n + CHUNK - 1) / CHUNK, c -> {
            for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) mask[i] = SeededRandom.floatAt(start, i) >= dropRate ? keepScale : 0f;
        });
        return mask;
    }
}
