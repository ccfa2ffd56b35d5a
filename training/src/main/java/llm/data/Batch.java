package llm.data;

import llm.tensor.IntNDArray;

/**
 * One batch of training data: input ids {@code (B, T)} and their targets: the next tokens {@code (B, T)} for a
 * language model, or one label per row {@code (B)} for a classifier (Book §6).
 */
public record Batch(IntNDArray inputs, IntNDArray targets) {
    /** Rows {@code from .. to-1} of both: one process's share of a global batch in data-parallel training (Appendix A.9). */
    public Batch rows(int from, int to) {
        return new Batch(inputs.rows(from, to), targets.rows(from, to));
    }
}
