package llm.data;

import java.util.Arrays;

import llm.tensor.IntNDArray;

/**
 * One batch of training data: input ids {@code (B, T)} and their targets: the next tokens {@code (B, T)} for a
 * language model, or one label per row {@code (B)} for a classifier (Book §6).
 */
public record Batch(IntNDArray inputs, IntNDArray targets) {
    /** Rows {@code from .. to-1} of both: one process's share of a global batch in data-parallel training (Appendix A.9). */
    public Batch rows(int from, int to) {
        return new Batch(rowsOf(inputs, from, to), rowsOf(targets, from, to));
    }

    static IntNDArray rowsOf(IntNDArray a, int from, int to) {
        int b = a.dim(0);
        if (from < 0 || to > b || from >= to) throw new IllegalArgumentException("rows " + from + ".." + to + " of a batch of " + b);
        int per = a.numel() / b;
        int[] shape = a.shape().clone();
        shape[0] = to - from;
        return IntNDArray.of(Arrays.copyOfRange(a.storage(), from * per, to * per), shape);
    }
}
