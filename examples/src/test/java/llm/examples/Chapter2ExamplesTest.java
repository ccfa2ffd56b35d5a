package llm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

/** The chapter 2 examples print the book's numbers. */
class Chapter2ExamplesTest {

    interface Main {
        void run() throws Exception;
    }

    static String capture(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString();
    }

    private static void assertPrints(String printed, String... expected) {
        for (String e : expected) assertTrue(printed.contains(e), "expected '" + e + "' in:\n" + printed);
    }

    @Test
    void simpleTokenizer() throws Exception {
        assertPrints(capture(() -> Ch02SimpleTokenizer.main(new String[0])),
                "Tokens: 4690", "Vocabulary size: 1130", "with <|endoftext|> and <|unk|>: 1132",
                "V1 ids: [1, 56, 2, 850, 988, 602, 533, 746, 5, 1126, 596, 5, 1, 67, 7, 38, 851, 1108, 754, 793, 7]",
                "V2 ids: [1131, 5, 355, 1126, 628, 975, 10, 1130, 55, 988, 956, 984, 722, 988, 1131, 7]");
    }

    @Test
    void bytePairEncoding() throws Exception {
        assertPrints(capture(() -> Ch02BytePairEncoding.main(new String[0])),
                "[15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 1659, 617, 34680, 27271, 13]",
                "Akwirw ier -> [33901, 86, 343, 86, 220, 959]", "5145 tokens, starting [40, 367, 2885, 1464, 1807, 3619, 402, 271]");
    }

    @Test
    void bpeFromScratch() throws Exception {
        assertPrints(capture(() -> Ch02BPEFromScratch.main(new String[0])), "vocabulary: 1000, merges: 742",
                "[74, 361, 310, 109, 98, 420, 397, 100, 300, 428, 116, 121, 519, 699, 299, 808, 534]", "Jack embraced beauty through art and life.");
    }

    @Test
    void dataSampling() throws Exception {
        assertPrints(capture(() -> Ch02DataSampling.main(new String[0])),
                "inputs IntNDArray(1, 4) [40, 367, 2885, 1464], targets IntNDArray(1, 4) [367, 2885, 1464, 1807]",
                "[ 1807,  3619,   402,   271]", "[10899,  2138,   257,  7026]");
    }

    @Test
    void courseExamples() throws Exception {
        assertPrints(capture(() -> CourseCharacterTokenizer.main(new String[0])), "vocabulary: 65", "hii there -> [46, 47, 47, 1, 58, 46, 43, 56, 43]");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shards-test");
        assertPrints(capture(() -> CourseTokenShards.main(new String[] {dir.toString()})), "1 document", "shakespeare_val_000000.bin", "inputs  IntNDArray(4, 8)");
    }
}
