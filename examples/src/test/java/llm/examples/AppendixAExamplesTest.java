package llm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

import llm.tensor.SeededRandom;

/** The Appendix A examples print what the book prints (seeded), and training lowers the loss. */
class AppendixAExamplesTest {

    @Test
    void networkHasTheBooksParameterCount() {
        assertEquals(2213, new AppendixANeuralNetwork(50, 3, new SeededRandom(123)).numParameters());
    }

    @Test
    void autogradExamplePrintsTheBooksGradients() {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        try {
            AppA4AutomaticDifferentiation.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String printed = buffer.toString();
        assertTrue(printed.contains("dL/dw1    = -0.0898"), printed);
        assertTrue(printed.contains("dL/db     = -0.0817"), printed);
    }

    @Test
    void trainingLowersTheLossAndClassifiesTheToyData() {
        var r = AppA7TrainingLoop.train(10, 123, new PrintStream(new ByteArrayOutputStream()));
        float first = r.losses().get(0), last = r.losses().get(r.losses().size() - 1);
        assertTrue(last < 0.1f * first, "loss fell from " + first + " to " + last);
        assertEquals(1f, r.trainAccuracy());
        assertEquals(1f, r.testAccuracy());
        var again = AppA7TrainingLoop.train(10, 123, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(r.losses(), again.losses(), "the same seed reproduces the run");
    }
}
