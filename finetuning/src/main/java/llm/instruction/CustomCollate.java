package llm.instruction;

import java.util.List;

import llm.data.Batch;
import llm.tensor.IntNDArray;

/**
 * The book's {@code custom_collate_fn} (§7.3): token lists of different lengths become one batch. Each item gets one
 * end-of-text token appended and is padded with it to the longest item plus one; the inputs are all but the last
 * token and the targets all but the first (the next token at each position); in the targets every padding token
 * after the first becomes {@code ignoreIndex} (-100), so the model learns to stop but the loss ignores the padding;
 * then both are cut to {@code allowedMaxLength}. Exercise 7.2's option also sets the targets of the prompt
 * (instruction and input) to {@code ignoreIndex}, so only the response is learned.
 *
 * {@snippet :
 * customCollateFn(List.of(new int[] {0, 1, 2, 3, 4}, new int[] {5, 6}, new int[] {7, 8, 9}), null, 50256, -100, -1);
 * // inputs  [[0, 1, 2, 3, 4], [5, 6, 50256, 50256, 50256], [7, 8, 9, 50256, 50256]]
 * // targets [[1, 2, 3, 4, 50256], [6, 50256, -100, -100, -100], [8, 9, 50256, -100, -100]]
 * }
 */
public final class CustomCollate {
    private CustomCollate() {}

    /**
     * @param items            each item's token ids
     * @param promptLengths    each item's prompt length, whose targets are masked (exercise 7.2), or null for none
     * @param padTokenId       the padding and end-of-text id (50256)
     * @param ignoreIndex      the target the loss skips (-100)
     * @param allowedMaxLength the longest sequence kept, or -1 for no limit
     */
    public static Batch customCollateFn(List<int[]> items, int[] promptLengths, int padTokenId, int ignoreIndex, int allowedMaxLength) {
        int batchMaxLength = 0;
        for (int[] item : items) batchMaxLength = Math.max(batchMaxLength, item.length + 1);
        int t = allowedMaxLength > 0 ? Math.min(allowedMaxLength, batchMaxLength - 1) : batchMaxLength - 1;
        int[] inputs = new int[items.size() * t], targets = new int[items.size() * t];
        for (int r = 0; r < items.size(); r++) {
            int[] item = items.get(r);
            int[] padded = new int[batchMaxLength];               // item, one end-of-text, then padding
            java.util.Arrays.fill(padded, padTokenId);
            System.arraycopy(item, 0, padded, 0, item.length);
            for (int i = 0; i < t; i++) {
                inputs[r * t + i] = padded[i];
                // targets are padded[1:]; the first padding token stays (the end of the text), later ones are ignored
                int target = padded[i + 1];
                boolean laterPadding = i + 1 > item.length;
                boolean prompt = promptLengths != null && i + 1 < promptLengths[r];
                targets[r * t + i] = laterPadding || prompt ? ignoreIndex : target;
            }
        }
        return new Batch(IntNDArray.of(inputs, items.size(), t), IntNDArray.of(targets, items.size(), t));
    }
}
