package llm.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads text files as UTF-8, strictly by default: a byte sequence that is not UTF-8 is an error that names the
 * file and the byte offset, instead of text silently changed. With {@code replace}, such bytes become U+FFFD.
 */
public final class Utf8Text {
    private Utf8Text() {}

    /**
     * The most a file read whole may hold: 1 GiB. A Java string holds fewer than 2^31 characters, and the tokens of
     * a text held in memory take four times its bytes; larger corpora are streamed into shards by {@code ./llm prepare}.
     */
    public static final long MAX_WHOLE_BYTES = 1L << 30;

    /** The whole file as a string; a file larger than {@link #MAX_WHOLE_BYTES} is refused before reading, naming {@code prepare}. */
    public static String read(Path file, boolean replace) throws IOException {
        long size = Files.size(file);
        if (size > MAX_WHOLE_BYTES) {
            throw new IllegalArgumentException(String.format("%s is %.1f GB, more than the %.1f GB a text read whole may have; './llm prepare --out DIR %s' "
                    + "streams it into token shards (and counts its tokens), and './llm train --data DIR' trains on them", file, size / 1e9, MAX_WHOLE_BYTES / 1e9, file));
        }
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in.readAllBytes(), file.toString(), 0, replace);
        }
    }

    /** Every character (code point) of the file in order, read a megabyte at a time: for files of any size. */
    public static void forEachCodePoint(Path file, boolean replace, java.util.function.IntConsumer action) throws IOException {
        forEachCodePoint(file, replace, action, 1 << 20);
    }

    static void forEachCodePoint(Path file, boolean replace, java.util.function.IntConsumer action, int blockBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] carry = new byte[0];
            long offset = 0;
            while (true) {
                byte[] chunk = in.readNBytes(blockBytes);
                boolean eof = chunk.length < blockBytes;
                byte[] bytes = carry.length == 0 ? chunk : concat(carry, chunk);
                int end = eof ? bytes.length : completePrefix(bytes);   // a character cut by the block boundary waits for the next block
                decode(java.util.Arrays.copyOf(bytes, end), file.toString(), offset, replace).codePoints().forEach(action);
                offset += end;
                carry = java.util.Arrays.copyOfRange(bytes, end, bytes.length);
                if (eof) return;
            }
        }
    }

    /** The length of the longest prefix of {@code b} that does not end inside a UTF-8 sequence. */
    static int completePrefix(byte[] b) {
        for (int back = 1; back <= Math.min(3, b.length); back++) {
            int c = b[b.length - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue;                      // a continuation byte: look further back
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? b.length - back : b.length;        // the sequence starting here is complete, or not
        }
        return b.length;                                            // invalid bytes: let the decoder report them
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Decodes {@code bytes}; {@code firstByte} is their offset in the file, so that an error reports the file's
     * own byte offset.
     */
    static String decode(byte[] bytes, String name, long firstByte, boolean replace) throws CharacterCodingException {
        CodingErrorAction action = replace ? CodingErrorAction.REPLACE : CodingErrorAction.REPORT;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(action).onUnmappableCharacter(action);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) throw new InvalidUtf8Exception(name, firstByte + in.position());
        r = decoder.flush(out);
        if (r.isError()) throw new InvalidUtf8Exception(name, firstByte + in.position());
        out.flip();
        return out.toString();
    }

    /** A file that is not valid UTF-8, with where it goes wrong. */
    public static final class InvalidUtf8Exception extends CharacterCodingException {
        private final String file;
        private final long offset;

        InvalidUtf8Exception(String file, long offset) {
            this.file = file;
            this.offset = offset;
        }

        @Override
        public String getMessage() {
            return file + ": not valid UTF-8 at byte offset " + offset + " (the file must be UTF-8 text; it can be read with replacement characters instead)";
        }

        public long offset() {
            return offset;
        }
    }
}
