package llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Long pieces (text without spaces): the heap version of the merge loop makes exactly the scan's merges, and a
 * megabyte of one letter, which the scan alone took over 90 s for, tokenizes (the audit's issue 17, item 4).
 */
class LongPieceTest {
    static final BytePairTokenizer GPT2 = BytePairTokenizer.gpt2();

    @Test
    void heapAndScanMakeTheSameTokens() {
        String[] alphabet = {"a", "b", "ab", "the", "ing", "0", "1", ".", "é", "🙂", "x", "th", "e"};
        qt().withExamples(200).forAll(integers().between(2, 400), longs().all()).checkAssert((length, seed) -> {
            Random rng = new Random(seed);
            StringBuilder text = new StringBuilder();
            int symbols = 1 + rng.nextInt(alphabet.length);          // few symbols: long runs and repeats, where ties happen
            while (text.length() < length) text.append(alphabet[rng.nextInt(symbols)]);
            byte[] piece = text.toString().getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(GPT2.bytePairEncodeScan(piece), GPT2.bytePairEncodeHeap(piece), text.toString());
        });
    }

    @Test
    void aMegabyteWithoutSpacesTokenizesAndRoundTrips() {
        String text = "a".repeat(1 << 20);
        // a bound, not a speed target: the quadratic loop needed minutes here, the heap takes well under a second
        int[] ids = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> GPT2.encode(text));
        assertEquals(text, GPT2.decode(ids));
        String digits = "1234567890".repeat(100_000);
        assertEquals(digits, GPT2.decode(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> GPT2.encode(digits))));
    }
}
