package llm.autograd;

import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** Random inputs for gradient checks, kept away from the points where a function has a kink or a pole. */
final class Shapes {
    private Shapes() {}

    static NDArray randn(long seed, int... shape) {
        return NDArray.randn(new SeededRandom(seed), shape);
    }

    /** Values in [0.5, 2): safe for log, sqrt, division and fractional powers. */
    static NDArray positive(long seed, int... shape) {
        return NDArray.uniform(new SeededRandom(seed), 0.5f, 2f, shape);
    }

    /** Normal values pushed at least 0.1 away from zero (ReLU's kink, a divisor). */
    static NDArray awayFromZero(long seed, int... shape) {
        NDArray x = randn(seed, shape);
        float[] d = x.storage();
        for (int i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + 0.1f : d[i] - 0.1f;
        return x;
    }

    /** A permutation of evenly spaced values: no ties, and gaps wider than the finite-difference step. */
    static NDArray distinct(long seed, int... shape) {
        NDArray x = randn(seed, shape);
        float[] d = x.storage();
        SeededRandom rng = new SeededRandom(seed);
        for (int i = 0; i < d.length; i++) d[i] = 0.1f * i;
        for (int i = d.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            float t = d[i]; d[i] = d[j]; d[j] = t;
        }
        return x;
    }

    /** The shape of a second operand that broadcasts against (r, c), chosen by {@code kind}. */
    static int[] broadcastPartner(int r, int c, int kind) {
        return switch (kind % 5) {
            case 0 -> new int[] {r, c};
            case 1 -> new int[] {c};
            case 2 -> new int[] {r, 1};
            case 3 -> new int[] {1, c};
            default -> new int[] {};
        };
    }
}
