package llm.gpu;

/**
 * Hands out the regions of one device array for a step's activations and scratch buffers (llm.c's
 * {@code acts_memory}): each {@link #take} returns the offset of a fresh region, and {@link #size} is how long the
 * array must be. One array instead of hundreds keeps the number of arrays a TaskGraph names small.
 */
final class ActivationArena {
    private long next;

    /** The offset of a new region of {@code n} numbers. */
    int take(long n) {
        long at = next;
        next += n;
        if (next > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the activations need " + next + " numbers, more than one device array holds (2^31): use a smaller batch or context");
        }
        return (int) at;
    }

    /** Numbers handed out so far. */
    int size() {
        return (int) next;
    }
}
