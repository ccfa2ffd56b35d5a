package llm.tensor;

/**
 * The result of {@link NDArray#topk}: the {@code k} largest values along a dimension, largest first,
 * and where they were. Book §5.3.2 (top-k sampling).
 */
public record TopK(NDArray values, IntNDArray indices) {}
