package llm.data;

import llm.tensor.IntNDArray;

/** One batch of training data: input ids {@code (B, T)} and the next-token targets {@code (B, T)}. */
public record Batch(IntNDArray inputs, IntNDArray targets) {}
