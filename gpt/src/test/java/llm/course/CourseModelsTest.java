package llm.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/** The course's bigram model and character-level GPT train with the same engine. */
class CourseModelsTest {
    /** A little text with structure: a bigram model can learn which letter follows which. */
    private static final String TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(20);

    private static int[] ids(String text, String alphabet) {
        int[] out = new int[text.length()];
        for (int i = 0; i < out.length; i++) out[i] = alphabet.indexOf(text.charAt(i));
        return out;
    }

    @Test
    void bigramModelLearnsWhichCharacterFollows() {
        String alphabet = " .acdeghilmnost";
        int[] data = ids(TEXT, alphabet);
        int v = alphabet.length(), b = 8, t = 32;
        BigramLanguageModel model = new BigramLanguageModel(v, new SeededRandom(1337));
        SeededRandom rng = new SeededRandom(1);
        float first = 0, last = 0;
        for (int step = 0; step < 200; step++) {
            int[] x = new int[b * t], y = new int[b * t];
            for (int r = 0; r < b; r++) {
                int start = rng.nextInt(data.length - t - 1);
                System.arraycopy(data, start, x, r * t, t);
                System.arraycopy(data, start + 1, y, r * t, t);
            }
            model.zeroGrad();
            Tensor loss = model.loss(IntNDArray.of(x, b, t), IntNDArray.of(y, b, t));
            loss.backward();
            for (Tensor p : model.parameters()) p.setData(p.data().sub(p.grad().mul(5f)));
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(first > 2.5f, "starts near or above ln(V): " + first);
        assertTrue(last < 1.0f, "bigram loss fell from " + first + " to " + last);
    }

    @Test
    void theCoursesCharacterGptConfiguration() {
        GPTConfig c = GPTConfig.COURSE_CHAR_GPT;
        assertEquals(65, c.vocabSize());
        assertEquals(c.parameterCount(false), new GPTModel(c, false, new SeededRandom(1)).numParameters());
        // a narrow version of it learns the text's next characters
        GPTConfig small = new GPTConfig(15, 32, 32, 4, 2, 0f, false);
        GPTModel model = new GPTModel(small, false, new SeededRandom(2));
        int[] data = ids(TEXT, " .acdeghilmnost");
        IntNDArray x = IntNDArray.of(java.util.Arrays.copyOfRange(data, 0, 64), 2, 32);
        IntNDArray y = IntNDArray.of(java.util.Arrays.copyOfRange(data, 1, 65), 2, 32);
        float first = 0, last = 0;
        for (int step = 0; step < 40; step++) {
            model.zeroGrad();
            Tensor loss = CrossEntropy.apply(model.forward(x), y);
            loss.backward();
            for (Tensor p : model.parameters()) p.setData(p.data().sub(p.grad().mul(0.2f)));
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.5f * first, "char GPT loss fell from " + first + " to " + last);
    }
}
