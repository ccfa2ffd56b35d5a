package llm.tokenizer;

/**
 * GPT-2's reversible mapping between the 256 byte values and 256 printable Unicode characters
 * ({@code bytes_to_unicode} in OpenAI's {@code encoder.py}). The files {@code encoder.json} and {@code
 * vocab.bpe} write every token as such characters, so that a space appears as {@code Ġ} (U+0120) and a
 * newline as {@code Ċ} (U+010A).
 *
 * <p>The rule: bytes that are printable Latin-1 characters ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) map to
 * themselves; the other 68 bytes map, in increasing order, to U+0100, U+0101, and so on.
 */
public final class ByteUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() {}

    /** The character that stands for byte {@code b} (0..255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The bytes that a token written in GPT-2's characters stands for. */
    public static byte[] bytesOf(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < out.length; i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) throw new IllegalArgumentException("character '" + c + "' (U+" + String.format("%04X", (int) c) + ") in token '" + token + "' is not one of GPT-2's byte characters");
            out[i] = (byte) b;
        }
        return out;
    }

    /** Bytes written in GPT-2's characters (the reverse of {@link #bytesOf}). */
    public static String toChars(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }
}
