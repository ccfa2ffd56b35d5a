package llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The book's bonus BPE tokenizer, trained on the-verdict.txt. */
class BPETokenizerSimpleTest {

    @Test
    void trainingOnTheVerdictMatchesTheBook(@TempDir Path dir) throws IOException {
        BPETokenizerSimple bpe = new BPETokenizerSimple();
        bpe.train(TestData.read("the-verdict.txt"), 1000, Set.of("<|endoftext|>"));
        assertEquals(1000, bpe.vocabSize());
        assertEquals(742, bpe.mergeCount());
        for (int id = 0; id < bpe.vocabSize(); id++) {
            String t = bpe.token(id);
            assertEquals(-1, t.indexOf(BPETokenizerSimple.SPACE, 1), "token " + id + " '" + t + "' has a Ġ inside");
        }
        String text = "Jack embraced beauty through art and life.";
        int[] ids = bpe.encode(text);
        assertArrayEquals(new int[] {74, 361, 310, 109, 98, 420, 397, 100, 300, 428, 116, 121, 519, 699, 299, 808, 534}, ids);
        assertEquals(text, bpe.decode(ids));

        bpe.saveVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.json"));
        BPETokenizerSimple loaded = new BPETokenizerSimple();
        loaded.loadVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.json"));
        assertEquals(text, loaded.decode(ids));
        assertArrayEquals(ids, loaded.encode(text));
        assertThrows(IllegalArgumentException.class, () -> bpe.encode("a <|endoftext|> b"));
        assertEquals(3, bpe.encode("a <|endoftext|> b", Set.of("<|endoftext|>")).length);
    }

    @Test
    void loadsOpenAisFiles() throws IOException {
        Path gpt2 = Path.of("src/main/resources/llm/tokenizer/gpt2");
        BPETokenizerSimple bpe = new BPETokenizerSimple();
        bpe.loadVocabAndMergesFromOpenAi(gpt2.resolve("encoder.json"), gpt2.resolve("vocab.bpe"));
        assertEquals(50257, bpe.vocabSize());
        assertArrayEquals(new int[] {1212, 318, 617, 2420}, bpe.encode("This is some text"));
        assertArrayEquals(new int[] {3546, 26908, 602}, bpe.encode("Implementations"));
        assertArrayEquals(new int[] {15496, 11, 995, 13, 1148, 428, 438, 257, 1332, 30}, bpe.encode("Hello, world. Is this-- a test?"));
    }
}
