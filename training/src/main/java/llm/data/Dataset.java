package llm.data;

/**
 * What a {@link DataLoader} reads (PyTorch's map-style {@code Dataset}): a number of examples, and a batch of the
 * examples at given indices. {@link GPTDatasetV1} holds next-token windows (Book §2.6); a classification dataset
 * holds padded texts and their labels (Book §6.3); a preference dataset holds chosen and rejected responses.
 *
 * @param <B> the batch type
 */
public interface Dataset<B> {
    /** Number of examples. */
    int size();

    /** The examples at {@code rows}, stacked into one batch. */
    B batch(int[] rows);
}
