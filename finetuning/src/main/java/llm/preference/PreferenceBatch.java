package llm.preference;

import llm.tensor.IntNDArray;
import llm.tensor.NDArray;

/**
 * A batch of preference pairs (the book's DPO notebook): chosen and rejected prompt + response ids, padded to one
 * length {@code (B, T)}, and for each a mask {@code (B, T)} of 1 where a response token counts in its
 * log-probability and 0 on the prompt and the padding.
 */
public record PreferenceBatch(IntNDArray chosen, IntNDArray rejected, NDArray chosenMask, NDArray rejectedMask) {}
