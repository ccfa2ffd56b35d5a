package llm.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;

/** Book §4.7 and §5.3 decoding. */
class GenerationTest {
    /** The book's next-token logits over a nine-word vocabulary (§5.3.1). */
    static final float[] LOGITS = {4.51f, 0.89f, -1.90f, 6.75f, 1.63f, -1.62f, -1.89f, 6.28f, 1.79f};

    @Test
    void greedyAndTopKSamplingFollowTheBook() {
        assertEquals(3, NextToken.choose(LOGITS, SamplingOptions.GREEDY, new SeededRandom(1)));
        int[] counts = new int[9];
        SeededRandom rng = new SeededRandom(123);
        SamplingOptions top3 = SamplingOptions.sample(1f, 3, 1f, 0);
        for (int i = 0; i < 20000; i++) counts[NextToken.choose(LOGITS, top3, rng)]++;
        assertEquals(0.0615, counts[0] / 20000.0, 0.006);
        assertEquals(0.5775, counts[3] / 20000.0, 0.012);
        assertEquals(0.3610, counts[7] / 20000.0, 0.012);
        assertEquals(20000, counts[0] + counts[3] + counts[7]);
        // top-p 0.9 keeps {3, 7} (0.58 + 0.36 >= 0.9 after the most likely two... of the plain softmax)
        int[] nucleus = new int[9];
        for (int i = 0; i < 5000; i++) nucleus[NextToken.choose(LOGITS, SamplingOptions.sample(1f, 0, 0.9f, 0), rng)]++;
        assertTrue(nucleus[3] > 0 && nucleus[7] > 0 && nucleus[0] + nucleus[1] + nucleus[2] + nucleus[4] + nucleus[5] + nucleus[6] + nucleus[8] == 0);
    }

    @Test
    void generationAppendsStreamsAndStopsAtEos() {
        GPTModel model = new GPTModel(new GPTConfig(20, 8, 16, 2, 2, 0.1f, false), false, new SeededRandom(3));
        model.eval();
        List<Integer> streamed = new ArrayList<>();
        int[] out = Generator.generate(model, new int[] {1, 2, 3}, 12, 8, SamplingOptions.GREEDY, streamed::add);
        assertEquals(15, out.length);               // past the context length of 8: the window slides
        assertArrayEquals(new int[] {1, 2, 3}, java.util.Arrays.copyOf(out, 3));
        for (int i = 0; i < streamed.size(); i++) assertEquals(out[3 + i], streamed.get(i));
        assertArrayEquals(out, Generator.generateTextSimple(model, new int[] {1, 2, 3}, 12, 8));
        int eos = out[5];
        int[] stopped = Generator.generate(model, new int[] {1, 2, 3}, 12, 8, SamplingOptions.GREEDY.withEos(eos), id -> {});
        assertTrue(stopped.length < out.length);
        for (int i = 3; i < stopped.length; i++) assertTrue(stopped[i] != eos);
        int[] a = Generator.generate(model, new int[] {1}, 10, 8, SamplingOptions.sample(1.5f, 5, 0.95f, 42), id -> {});
        int[] b = Generator.generate(model, new int[] {1}, 10, 8, SamplingOptions.sample(1.5f, 5, 0.95f, 42), id -> {});
        assertArrayEquals(a, b, "a seed reproduces sampling");
    }
}
