package llm.preference;

import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.training.DataParallel;

/**
 * A batch of preference pairs (the book's DPO notebook): chosen and rejected prompt + response ids, padded to one
 * length {@code (B, T)}, and for each a mask {@code (B, T)} of 1 where a response token counts in its
 * log-probability and 0 on the prompt and the padding.
 */
public record PreferenceBatch(IntNDArray chosen, IntNDArray rejected, NDArray chosenMask, NDArray rejectedMask) {
    /** How preference batches split among data-parallel processes: by pairs. */
    public static final DataParallel.Rows<PreferenceBatch> ROWS = new DataParallel.Rows<>() {
        @Override
        public int count(PreferenceBatch b) {
            return b.chosen().dim(0);
        }

        @Override
        public PreferenceBatch slice(PreferenceBatch b, int from, int to) {
            return new PreferenceBatch(b.chosen().rows(from, to), b.rejected().rows(from, to),
                    b.chosenMask().narrow(0, from, to - from).contiguous(), b.rejectedMask().narrow(0, from, to - from).contiguous());
        }
    };
}
