package llm.data;

/**
 * A long sequence of token ids that may not fit in memory: an {@code int[]} or a memory-mapped {@link
 * TokenShard}. Positions are {@code long} because a 45 GB corpus has more than 2^31 tokens.
 */
public interface TokenSource {
    long size();

    int get(long position);

    /** Copies {@code dst.length} tokens starting at {@code position} into {@code dst}. */
    default void read(long position, int[] dst, int offset, int length) {
        for (int i = 0; i < length; i++) dst[offset + i] = get(position + i);
    }

    /** An in-memory array as a source. */
    static TokenSource of(int[] tokens) {
        return new TokenSource() {
            @Override
            public long size() {
                return tokens.length;
            }

            @Override
            public int get(long position) {
                return tokens[Math.toIntExact(position)];
            }

            @Override
            public void read(long position, int[] dst, int offset, int length) {
                System.arraycopy(tokens, Math.toIntExact(position), dst, offset, length);
            }
        };
    }
}
