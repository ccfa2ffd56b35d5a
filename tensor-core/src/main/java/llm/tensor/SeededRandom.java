package llm.tensor;

/**
 * The one source of randomness: a small, seedable generator whose whole state is two numbers, so a
 * checkpoint can save it and a seed reproduces a run exactly.
 *
 * <p>Book Appendix A uses {@code torch.manual_seed(123)} for the same purpose. The bits come from
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014);
 * normal numbers from the Box-Muller transform. The numbers differ from PyTorch's (a different algorithm),
 * so tests compare statistics, never PyTorch's exact random draws.
 *
 * {@snippet :
 * SeededRandom rng = new SeededRandom(123);
 * NDArray w = NDArray.randn(rng, 3, 4);
 * }
 */
public final class SeededRandom {
    /** SplitMix64's increment, the odd 64-bit fraction of the golden ratio. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    /** Box-Muller makes normals in pairs; the second waits here (NaN when none waits). */
    private double spareGaussian = Double.NaN;

    public SeededRandom(long seed) {
        this.state = seed;
    }

    /** 64 random bits. */
    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /** SplitMix64's output function: scrambles one state into 64 random-looking bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, 1)} with 24 random bits, the precision of a float. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /**
     * Reserves the next {@code n} draws for a caller that makes them out of order, on several threads (a dropout
     * mask of millions of numbers): returns the state they start from and moves this generator past them.
     * {@link #floatAt}{@code (start, i)} is then exactly what the i-th of {@code n} calls of {@link #nextFloat}
     * would have returned, because SplitMix64's i-th number depends only on its state plus i + 1 steps.
     */
    public long skip(long n) {
        long start = state;
        state += n * GOLDEN_GAMMA;
        return start;
    }

    /** The {@code i}-th (from 0) {@link #nextFloat} of a generator in state {@code start}; see {@link #skip}. */
    public static float floatAt(long start, long i) {
        return (mix(start + (i + 1) * GOLDEN_GAMMA) >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in {@code [0, bound)}. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        return (int) ((nextLong() >>> 33) % bound);
    }

    /** The numbers {@code 0 .. n-1} in a random order (Fisher-Yates, drawing {@code nextInt(i + 1)} from the top). */
    public int[] permutation(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return order;
    }

    /** A standard normal number (mean 0, variance 1). */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u1 = 1.0 - nextDouble(); // (0, 1]: log(u1) is finite
        double u2 = nextDouble();
        double radius = Math.sqrt(-2.0 * Math.log(u1));
        spareGaussian = radius * Math.sin(2 * Math.PI * u2);
        return radius * Math.cos(2 * Math.PI * u2);
    }

    /** The generator's state, to save in a checkpoint: {@code [state, spare-normal bits]}. */
    public long[] saveState() {
        return new long[] {state, Double.doubleToRawLongBits(spareGaussian)};
    }

    /** Restores a state that {@link #saveState()} returned. */
    public void restoreState(long[] saved) {
        if (saved.length != 2) throw new IllegalArgumentException("restoreState: expected 2 numbers, got " + saved.length);
        state = saved[0];
        spareGaussian = Double.longBitsToDouble(saved[1]);
    }
}
