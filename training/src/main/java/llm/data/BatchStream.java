package llm.data;

/**
 * An endless supply of training batches whose position can be saved and restored, so that a resumed run sees
 * exactly the batches an uninterrupted run would have seen: {@link EpochBatches} (passes over a dataset, as the
 * book's loaders) or {@link RandomBatches} (random windows, as the course's {@code get_batch}). Batches of token windows are {@link Batch}es; fine-tuning streams
 * may carry other batch types.
 *
 * @param <B> the batch type
 */
public interface BatchStream<B> {
    /** The next batch. */
    B next();

    /** The stream's position (generator state and counters), for a checkpoint. */
    long[] saveState();

    /** Returns to a position that {@link #saveState()} gave. */
    void restoreState(long[] state);
}
