package llm.classification;

import java.util.Arrays;
import java.util.List;

import llm.data.Batch;
import llm.data.Dataset;
import llm.tensor.IntNDArray;
import llm.tokenizer.Tokenizer;

/**
 * The book's {@code SpamDataset} (§6.3): each message as GPT-2 token ids, all padded with the end-of-text id
 * 50256 to one length: the longest training message (120 tokens on the book's split), or a given length, to which
 * longer messages are cut. A batch is the padded ids {@code (B, T)} and the labels {@code (B)}.
 */
public final class SpamDataset implements Dataset<Batch> {
    /** GPT-2's {@code <|endoftext|>}, the book's padding token. */
    public static final int PAD_TOKEN_ID = 50256;

    private final int[][] encoded;
    private final int[] labels;
    private final int maxLength;

    /**
     * @param maxLength the length to pad or cut to, or null for the longest message's length
     */
    public SpamDataset(List<SpamData.Message> messages, Tokenizer tokenizer, Integer maxLength, int padTokenId) {
        if (messages.isEmpty()) throw new IllegalArgumentException("SpamDataset: no messages");
        int[][] ids = new int[messages.size()][];
        labels = new int[messages.size()];
        int longest = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(messages.get(i).text());
            labels[i] = messages.get(i).label();
            longest = Math.max(longest, ids[i].length);
        }
        if (maxLength != null && maxLength < 1) throw new IllegalArgumentException("SpamDataset: max length must be at least 1, got " + maxLength);
        this.maxLength = maxLength == null ? longest : maxLength;
        encoded = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            int[] padded = Arrays.copyOf(ids[i], this.maxLength);       // cuts longer messages
            Arrays.fill(padded, Math.min(ids[i].length, this.maxLength), this.maxLength, padTokenId);
            encoded[i] = padded;
        }
    }

    /** The length every message is padded or cut to. */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public int size() {
        return encoded.length;
    }

    /** Message {@code i}'s padded ids. */
    public int[] encoded(int i) {
        return encoded[i].clone();
    }

    public int label(int i) {
        return labels[i];
    }

    /** Inputs {@code (B, maxLength)} and labels {@code (B)}. */
    @Override
    public Batch batch(int[] rows) {
        int[] x = new int[rows.length * maxLength], y = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(encoded[rows[r]], 0, x, r * maxLength, maxLength);
            y[r] = labels[rows[r]];
        }
        return new Batch(IntNDArray.of(x, rows.length, maxLength), IntNDArray.of(y, rows.length));
    }
}
