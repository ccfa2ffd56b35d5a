package llm.tokenizer;

import java.util.Arrays;

/**
 * Byte sequence → rank, looked up by a slice of a byte array without copying it: the merge loop of BPE asks
 * "what is the rank of bytes {@code [from, to)}?" many times per word, and a {@code HashMap<String, Integer>}
 * would allocate a key for each question. Open addressing with linear probing, FNV-1a hashes.
 */
final class RankTable {
    private static final int NONE = -1;
    private final byte[][] keys;
    private final int[] values;
    private final int mask;
    private int size;

    /** Room for {@code capacity} entries at a load factor of at most one half. */
    RankTable(int capacity) {
        int slots = Integer.highestOneBit(Math.max(4, capacity * 2) - 1) << 1;
        keys = new byte[slots][];
        values = new int[slots];
        mask = slots - 1;
    }

    void put(byte[] key, int value) {
        if (2 * (size + 1) > keys.length) throw new IllegalStateException("RankTable is full (" + size + " entries)");
        int slot = hash(key, 0, key.length) & mask;
        while (keys[slot] != null) {
            if (Arrays.equals(keys[slot], key)) throw new IllegalArgumentException("token " + ByteUnicode.toChars(key) + " appears twice (ranks " + values[slot] + " and " + value + ")");
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
    }

    /** The rank of {@code bytes[from, to)}, or -1 when that sequence is not a token. */
    int get(byte[] bytes, int from, int to) {
        int slot = hash(bytes, from, to) & mask;
        byte[] k;
        while ((k = keys[slot]) != null) {
            if (Arrays.equals(k, 0, k.length, bytes, from, to)) return values[slot];
            slot = (slot + 1) & mask;
        }
        return NONE;
    }

    int size() {
        return size;
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        return h ^ (h >>> 16);
    }
}
