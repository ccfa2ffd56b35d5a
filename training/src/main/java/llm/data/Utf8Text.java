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

    /** The whole file as a string. */
    public static String read(Path file, boolean replace) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in.readAllBytes(), file.toString(), 0, replace);
        }
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
