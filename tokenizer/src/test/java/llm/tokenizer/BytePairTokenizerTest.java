package llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/** GPT-2's byte-level BPE against the book's values and against JTokkit, an independent implementation. */
class BytePairTokenizerTest {
    private static final BytePairTokenizer GPT2 = BytePairTokenizer.gpt2();
    private static final Encoding JTOKKIT = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    private static int[] jtokkit(String text) {
        return JTOKKIT.encodeOrdinary(text).toArray();
    }

    @Test
    void booksValues() {
        int[] verdict = GPT2.encode(TestData.read("the-verdict.txt"));
        assertEquals(5145, verdict.length);
        assertArrayEquals(new int[] {40, 367, 2885, 1464, 1807, 3619, 402, 271}, java.util.Arrays.copyOf(verdict, 8));
        assertArrayEquals(new int[] {15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 1659, 617, 34680, 27271, 13},
                GPT2.encode("Hello, do you like tea? <|endoftext|> In the sunlit terracesof someunknownPlace.", Set.of("<|endoftext|>")));
        assertArrayEquals(new int[] {33901, 86, 343, 86, 220, 959}, GPT2.encode("Akwirw ier"));
        assertArrayEquals(new int[] {198}, GPT2.encode("\n"));
        assertArrayEquals(new int[] {50256}, GPT2.encode("<|endoftext|>", Set.of("<|endoftext|>")));
        assertEquals("Akwirw ier", GPT2.decode(new int[] {33901, 86, 343, 86, 220, 959}));
        assertEquals(50257, GPT2.vocabSize());
    }

    @Test
    void specialTokensFollowTiktoksRules() {
        var e = assertThrows(IllegalArgumentException.class, () -> GPT2.encode("a <|endoftext|> b"));
        assertTrue(e.getMessage().contains("<|endoftext|> at character 2"), e.getMessage());
        // read as ordinary text, the special token is just characters
        assertArrayEquals(jtokkit("a <|endoftext|> b"), GPT2.encodeOrdinary("a <|endoftext|> b"));
        assertThrows(IllegalArgumentException.class, () -> GPT2.encode("x", Set.of("<|unknown|>")));
        var bad = assertThrows(IllegalArgumentException.class, () -> GPT2.decode(new int[] {50257}));
        assertTrue(bad.getMessage().contains("50257"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GPT2.decode(new int[] {-1}));
    }

    @Test
    void agreesWithJTokkitOnTheBooksCorpora() {
        for (String name : List.of("the-verdict.txt", "tinyshakespeare.txt")) {
            String text = TestData.read(name);
            assertArrayEquals(jtokkit(text), GPT2.encodeOrdinary(text), name);
        }
        JsonArray records = new Gson().fromJson(TestData.read("instruction-data.json"), JsonArray.class);
        int fields = 0;
        for (JsonElement r : records) {
            for (var field : r.getAsJsonObject().entrySet()) {
                String text = field.getValue().getAsString();
                assertArrayEquals(jtokkit(text), GPT2.encodeOrdinary(text), "instruction-data.json field " + field.getKey() + ": " + text);
                fields++;
            }
        }
        assertEquals(3300, fields);
    }

    /** Random strings of code points from the tricky ranges: emoji, CJK, combining marks, whitespace runs, CRLF. */
    private static Gen<String> trickyText() {
        int[][] ranges = {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {' ', ' '}, {'\n', '\n'}, {'\r', '\r'}, {'\t', '\t'},
                {0x2000, 0x200B}, {0x00A0, 0x00FF}, {0x0300, 0x036F}, {0x4E00, 0x4E80}, {0x1F600, 0x1F64F}, {'!', '/'}, {'\'', '\''}};
        Gen<Integer> codePoint = integers().between(0, ranges.length - 1).zip(integers().between(0, 1000), (r, k) -> {
            int lo = ranges[r][0], hi = ranges[r][1];
            return lo + k % (hi - lo + 1);
        });
        return lists().of(codePoint).ofSizeBetween(0, 40).map(cps -> {
            StringBuilder sb = new StringBuilder();
            for (int cp : cps) {
                if (cp == '\r') sb.append("\r\n"); else sb.appendCodePoint(cp);
            }
            return sb.toString();
        });
    }

    @Test
    void agreesWithJTokkitOnRandomUnicode() {
        qt().withExamples(1000).forAll(trickyText()).checkAssert(s -> assertArrayEquals(jtokkit(s), GPT2.encodeOrdinary(s), "text: " + s));
    }

    @Test
    void decodeInvertsEncode() {
        qt().withExamples(1000).forAll(trickyText()).checkAssert(s -> assertEquals(s, GPT2.decode(GPT2.encodeOrdinary(s))));
    }

    @Test
    void loadsATiktokenRankFile(@TempDir Path dir) throws IOException {
        // r50k_base as a .tiktoken file: base64 of each token's bytes and its rank, made here from our GPT-2 tables
        List<String> lines = new ArrayList<>();
        for (int id = 0; id < 50256; id++) {
            lines.add(Base64.getEncoder().encodeToString(GPT2.decodeBytes(new int[] {id})) + " " + id);
        }
        Path file = dir.resolve("r50k_base.tiktoken");
        Files.write(file, lines, StandardCharsets.UTF_8);
        BytePairTokenizer loaded = BytePairTokenizer.fromTiktoken(file, Map.of("<|endoftext|>", 50256), BytePairTokenizer.GPT2_PATTERN);
        String text = TestData.read("the-verdict.txt");
        assertArrayEquals(GPT2.encodeOrdinary(text), loaded.encodeOrdinary(text));
        Files.writeString(file, "not base64!! 12\n");
        var e = assertThrows(IllegalArgumentException.class,
                () -> BytePairTokenizer.fromTiktoken(file, Map.of(), BytePairTokenizer.GPT2_PATTERN));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
