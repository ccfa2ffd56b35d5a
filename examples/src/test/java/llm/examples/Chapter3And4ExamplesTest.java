package llm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The chapter 3 and 4 examples print the book's numbers. */
class Chapter3And4ExamplesTest {

    private static void assertPrints(String printed, String... expected) {
        for (String e : expected) assertTrue(printed.contains(e), "expected '" + e + "' in:\n" + printed);
    }

    @Test
    void attention() throws Exception {
        assertPrints(Chapter2ExamplesTest.capture(() -> Ch03SelfAttention.main(new String[0])),
                "[0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865]", "[0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581]",
                "[0.4419, 0.6515, 0.5683]", "shape [2, 6, 4]");
    }

    @Test
    void gptModel() throws Exception {
        assertPrints(Chapter2ExamplesTest.capture(() -> Ch04GPTModel.main(new String[0])),
                "163,009,536 parameters untied, 124,412,160 with the output head tied", "feed-forward 4,722,432, attention 2,360,064",
                "621.83 MB", "gpt2-medium: 406,212,608", "gpt2-large: 838,220,800", "gpt2-xl: 1,637,792,000",
                "input batch [6109, 3626, 6100, 345, 6109, 1110, 6622, 257] -> logits shape [2, 4, 50257]");
    }
}
