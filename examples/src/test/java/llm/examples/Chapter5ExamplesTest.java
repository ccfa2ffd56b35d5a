package llm.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The chapter 5 and Appendix D examples print what their pages show. ({@code Ch05PretrainingLoop} and {@code
 * Ch05TextGenerationLoss} run the 124M model or minutes of training; {@code TrainerTest} covers that loop.)
 */
class Chapter5ExamplesTest {
    private static void assertPrints(String printed, String... expected) {
        for (String e : expected) assertTrue(printed.contains(e), "expected '" + e + "' in:\n" + printed);
    }

    @Test
    void appendixDSchedulesAndClipping() throws Exception {
        assertPrints(Chapter2ExamplesTest.capture(() -> AppDTrainingExtras.main(new String[0])),
                "   0  1.000e-05", "  18  5.000e-04", "  89  1.237e-06",
                "global norm 5.0000", "[[0.2000, 0.4000],", "(norm 1.0000)");
    }

    @Test
    void savingLoadingAndResuming() throws Exception {
        String out = Chapter2ExamplesTest.capture(() -> Ch05SaveAndLoadWeights.main(new String[0]));
        assertPrints(out, "loaded model gives identical logits: true", "resumed at step 4");
        assertTrue(!out.contains("identical: false"), out);
        assertTrue(out.split("identical: true", -1).length - 1 == 4, out);
    }

    @Test
    void pretrainedLoaderOnTheTinyFixture() throws Exception {
        assertPrints(Chapter2ExamplesTest.capture(() -> Ch05PretrainedGPT2.main(new String[0])),
                "vocabSize=97, contextLength=24, embDim=32, nHeads=4, nLayers=2", "29,344 parameters", "tied to the token embedding");
    }
}
