package llm.data;

import java.util.Arrays;

import llm.tensor.IntNDArray;

/**
 * The book's sliding-window dataset (Book §2.6, {@code GPTDatasetV1}): windows of {@code maxLength} token ids
 * taken every {@code stride} tokens; the target of each window is the same window shifted one token to the
 * right, so position {@code t} of the target is the token that follows position {@code t} of the input.
 *
 * {@snippet :
 * int[] ids = BytePairTokenizer.gpt2().encode(theVerdict);
 * var dataset = new GPTDatasetV1(ids, 4, 1);
 * dataset.input(0);    // [40, 367, 2885, 1464]
 * dataset.target(0);   // [367, 2885, 1464, 1807]
 * }
 */
public final class GPTDatasetV1 implements Dataset<Batch> {
    private final int[] tokens;
    private final int maxLength;
    private final int stride;
    private final int windows;

    public GPTDatasetV1(int[] tokenIds, int maxLength, int stride) {
        if (maxLength < 1) throw new IllegalArgumentException("GPTDatasetV1: maxLength must be at least 1, got " + maxLength);
        if (stride < 1) throw new IllegalArgumentException("GPTDatasetV1: stride must be at least 1, got " + stride);
        this.tokens = tokenIds;
        this.maxLength = maxLength;
        this.stride = stride;
        // windows start at 0, stride, 2*stride, ... while start + maxLength + 1 <= n (the book's range(0, n - max_length, stride))
        this.windows = tokenIds.length <= maxLength ? 0 : (tokenIds.length - maxLength - 1) / stride + 1;
    }

    /** Number of (input, target) windows. */
    public int size() {
        return windows;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Input window {@code i}: tokens {@code [i*stride, i*stride + maxLength)}. */
    public int[] input(int i) {
        int start = start(i);
        return Arrays.copyOfRange(tokens, start, start + maxLength);
    }

    /** Target window {@code i}: the input window moved one token to the right. */
    public int[] target(int i) {
        int start = start(i) + 1;
        return Arrays.copyOfRange(tokens, start, start + maxLength);
    }

    private int start(int i) {
        if (i < 0 || i >= windows) throw new IndexOutOfBoundsException("GPTDatasetV1: window " + i + " of " + windows);
        return i * stride;
    }

    /** Windows {@code rows[0..]} stacked into a batch: inputs and targets, each {@code (B, T)}. */
    public Batch batch(int[] rows) {
        int[] x = new int[rows.length * maxLength];
        int[] y = new int[rows.length * maxLength];
        for (int b = 0; b < rows.length; b++) {
            int start = start(rows[b]);
            System.arraycopy(tokens, start, x, b * maxLength, maxLength);
            System.arraycopy(tokens, start + 1, y, b * maxLength, maxLength);
        }
        return new Batch(IntNDArray.of(x, rows.length, maxLength), IntNDArray.of(y, rows.length, maxLength));
    }
}
