package llm.data;

/**
 * An endless supply of training batches whose position can be saved and restored, so that a resumed run sees
 * exactly the batches an uninterrupted run would have seen: {@link EpochBatches} (passes over a dataset, as the
 * book's loaders) or {@link RandomBatches} (random windows, as the course's {@code get_batch}).
 */
public interface BatchStream {
    /** The next batch. */
    Batch next();

    /** The stream's position (generator state and counters), for a checkpoint. */
    long[] saveState();

    /** Returns to a position that {@link #saveState()} gave. */
    void restoreState(long[] state);
}
