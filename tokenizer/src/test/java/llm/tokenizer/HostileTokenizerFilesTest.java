package llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rank and vocabulary files with impossible ids: one clear line naming the file, checked before any table is allocated. */
class HostileTokenizerFilesTest {
    @TempDir
    Path tmp;

    private Path tiktoken(String lastLine) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = 0; b < 256; b++) s.append(Base64.getEncoder().encodeToString(new byte[] {(byte) b})).append(' ').append(b).append('\n');
        s.append(lastLine).append('\n');
        Path f = tmp.resolve("hostile.tiktoken");
        Files.writeString(f, s);
        return f;
    }

    @Test
    void aHugeRankIsRefusedBeforeAllocating() throws IOException {
        Path f = tiktoken(Base64.getEncoder().encodeToString("ab".getBytes()) + " 2000000000");
        var e = assertThrows(IllegalArgumentException.class, () -> BytePairTokenizer.fromTiktoken(f, Map.of(), BytePairTokenizer.GPT2_PATTERN));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("2000000000"), e.getMessage());
    }

    @Test
    void aNegativeRankIsRefused() throws IOException {
        Path f = tiktoken(Base64.getEncoder().encodeToString("ab".getBytes()) + " -7");
        var e = assertThrows(IllegalArgumentException.class, () -> BytePairTokenizer.fromTiktoken(f, Map.of(), BytePairTokenizer.GPT2_PATTERN));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("-7"), e.getMessage());
    }

    @Test
    void aHugeSpecialIdInEncoderJsonIsRefused() {
        StringBuilder json = new StringBuilder("{");
        for (int b = 0; b < 256; b++) json.append('"').append(ByteUnicode.charOf(b) == '"' ? "\\\"" : ByteUnicode.charOf(b) == '\\' ? "\\\\" : String.valueOf(ByteUnicode.charOf(b))).append("\":").append(b).append(',');
        json.append("\"<|endoftext|>\":1900000000}");
        var e = assertThrows(IllegalArgumentException.class,
                () -> BytePairTokenizer.fromOpenAi(new StringReader(json.toString()), new StringReader("#version: 0.2\n"), "hostile/"));
        assertTrue(e.getMessage().startsWith("hostile/encoder.json") && e.getMessage().contains("1900000000"), e.getMessage());
    }

    @Test
    void brokenEncoderJsonNamesTheFile() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> BytePairTokenizer.fromOpenAi(new StringReader("{\"a\": [1, 2"), new StringReader(""), "hostile/"));
        assertTrue(e.getMessage().startsWith("hostile/encoder.json is not a JSON object"), e.getMessage());
    }
}
