package llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Book §2.2-2.4 on the-verdict.txt. */
class SimpleTokenizerTest {
    private static final String VERDICT = TestData.read("the-verdict.txt");

    @Test
    void splittingAndVocabularyMatchTheBook() {
        assertEquals(4690, WordSplitter.split(VERDICT).size());
        Map<String, Integer> v1 = SimpleTokenizerV1.buildVocabulary(VERDICT);
        assertEquals(1130, v1.size());
        Map<String, Integer> v2 = SimpleTokenizerV2.buildVocabulary(VERDICT);
        assertEquals(1132, v2.size());
        assertEquals(1130, v2.get("<|endoftext|>"));
        assertEquals(1131, v2.get("<|unk|>"));
        assertEquals(java.util.List.of("Hello", ",", "world", ".", "Is", "this", "--", "a", "test", "?"),
                WordSplitter.split("Hello, world. Is this-- a test?"));
    }

    @Test
    void v1EncodesAndDecodesTheBooksSentence() {
        var tokenizer = new SimpleTokenizerV1(SimpleTokenizerV1.buildVocabulary(VERDICT));
        String text = "\"It's the last he painted, you know,\" Mrs. Gisburn said with pardonable pride.";
        int[] ids = tokenizer.encode(text);
        assertArrayEquals(new int[] {1, 56, 2, 850, 988, 602, 533, 746, 5, 1126, 596, 5, 1, 67, 7, 38, 851, 1108, 754, 793, 7}, ids);
        assertEquals("\" It' s the last he painted, you know,\" Mrs. Gisburn said with pardonable pride.", tokenizer.decode(ids));
        var e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("Hello, do you like tea?"));
        assertTrue(e.getMessage().contains("'Hello'"), e.getMessage());
    }

    @Test
    void v2ReplacesUnknownWordsAndKeepsEndOfText() {
        var tokenizer = new SimpleTokenizerV2(SimpleTokenizerV2.buildVocabulary(VERDICT));
        String text = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.";
        int[] ids = tokenizer.encode(text);
        assertArrayEquals(new int[] {1131, 5, 355, 1126, 628, 975, 10, 1130, 55, 988, 956, 984, 722, 988, 1131, 7}, ids);
        assertEquals("<|unk|>, do you like tea? <|endoftext|> In the sunlit terraces of the <|unk|>.", tokenizer.decode(ids));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {1132}));
    }

    @Test
    void charTokenizerRoundTripsTinyShakespeare() {
        String text = TestData.read("tinyshakespeare.txt");
        CharTokenizer chars = CharTokenizer.fromText(text);
        assertEquals(65, chars.vocabSize());
        assertEquals(text, chars.decode(chars.encode(text)));
        assertArrayEquals(new int[] {46, 47, 47, 1, 58, 46, 43, 56, 43}, chars.encode("hii there"));
        var e = assertThrows(IllegalArgumentException.class, () -> chars.encode("é"));
        assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
    }
}
