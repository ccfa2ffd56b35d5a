package llm.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import llm.autograd.Grad;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.RowMatrix;
import llm.tensor.SeededRandom;
import llm.tensor.WeightFormat;

/** The matrix-vector decoder against the model's own cached forward pass, in each weight format. */
class MatVecDecoderTest {
    private static final int[] PROMPT = {5, 17, 3, 29};
    private static final Parallelism TWO = new Parallelism(2);

    private static GPTModel model(boolean tied, boolean qkvBias, long seed) {
        GPTModel m = new GPTModel(new GPTConfig(37, 12, 24, 3, 2, 0.1f, qkvBias), tied, new SeededRandom(seed));
        m.eval();
        return m;
    }

    /** The logits of the prompt and of eight tokens after it, from {@code d}. */
    private static float[][] run(Decoder d) {
        float[][] out = new float[9][];
        out[0] = d.prefill(PROMPT);
        for (int i = 1; i < out.length; i++) out[i] = d.next((i * 7) % 37);
        return out;
    }

    private static void assertClose(float[][] expected, float[][] actual, float tolerance, String what) {
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < expected[t].length; v++) assertEquals(expected[t][v], actual[t][v], tolerance, what + ": step " + t + ", logit " + v);
        }
    }

    @Test
    void fp32GivesTheModelsLogitsTiedOrNotWithOrWithoutQkvBias() {
        for (boolean tied : new boolean[] {false, true}) {
            for (boolean bias : new boolean[] {false, true}) {
                GPTModel m = model(tied, bias, 11);
                float[][] expected = run(new ModelDecoder(m, 12));
                assertClose(expected, run(new MatVecDecoder(m, 12, WeightFormat.FP32, Parallelism.SINGLE)), 2e-5f, "tied " + tied + ", bias " + bias);
                assertClose(expected, run(new MatVecDecoder(m, 12, WeightFormat.FP32, TWO)), 2e-5f, "two threads");
            }
        }
    }

    /**
     * bf16 and int8 compute exactly the model whose matrices hold what the format keeps: rounding each matrix the
     * same way in a copy of the model and running it in fp32 gives the same logits. (Embedding rows stay fp32; the
     * head is untied here so that rounding it does not touch them.)
     */
    @Test
    void bf16AndInt8ComputeTheModelWithRoundedMatrices() {
        for (WeightFormat format : new WeightFormat[] {WeightFormat.BF16, WeightFormat.INT8}) {
            GPTModel m = model(false, true, 5), rounded = model(false, true, 5);
            for (Map.Entry<String, NDArray> e : rounded.stateDict().entrySet()) {
                NDArray p = e.getValue();
                if (p.rank() != 2 || e.getKey().contains("emb")) continue;
                RowMatrix stored = format.store(p.storage(), p.offset(), p.dim(0), p.dim(1));
                for (int r = 0; r < p.dim(0); r++) stored.row(r, p.storage(), p.offset() + r * p.dim(1));
            }
            float[][] expected = run(new MatVecDecoder(rounded, 12, WeightFormat.FP32, TWO));
            float[][] actual = run(new MatVecDecoder(m, 12, format, TWO));
            assertClose(expected, actual, 2e-5f, format.toString());
            // and the rounding is real: the logits differ from fp32's, by little
            float[][] fp32 = run(new MatVecDecoder(m, 12, WeightFormat.FP32, TWO));
            float most = 0;
            for (int t = 0; t < fp32.length; t++) for (int v = 0; v < 37; v++) most = Math.max(most, Math.abs(fp32[t][v] - actual[t][v]));
            assertTrue(most > 1e-5f && most < 0.1f, format + ": largest logit change " + most);
        }
    }

    /**
     * A cache long enough that attention runs on both threads (cached tokens times width past 65,536): the threads'
     * shares of cached tokens and of heads give the model's logits, with 5 heads on 2 threads (an uneven split).
     */
    @Test
    void attentionOverALongCacheOnTwoThreadsGivesTheModelsLogits() {
        GPTModel m = new GPTModel(new GPTConfig(37, 200, 640, 5, 1, 0.1f, false), false, new SeededRandom(4));
        m.eval();
        Decoder expected = new ModelDecoder(m, 200), actual = new MatVecDecoder(m, 200, WeightFormat.FP32, TWO);
        assertClose(new float[][] {expected.prefill(PROMPT)}, new float[][] {actual.prefill(PROMPT)}, 2e-5f, "prefill");
        for (int i = 0; i < 150; i++) {
            int token = (i * 11) % 37;
            float[] e = expected.next(token), a = actual.next(token);
            if (i >= 100) assertClose(new float[][] {e}, new float[][] {a}, 2e-5f, "token " + (PROMPT.length + i));  // 104+ cached × 640 > 65,536
        }
    }

    @Test
    void greedyGenerationPastTheWindowMatchesTheModel() {
        GPTModel m = model(true, false, 8);
        int[] expected = Generator.generate(m, PROMPT, 15, 12, SamplingOptions.GREEDY, id -> {});
        int[] actual = Generator.generate(new MatVecDecoder(m, 12, WeightFormat.FP32), PROMPT, 15, SamplingOptions.GREEDY, id -> {});
        assertArrayEquals(expected, actual);
    }

    /** Perplexity through the decoder is the book's loss: the model's full forward pass on the same windows. */
    @Test
    void perplexityIsTheForwardPassesCrossEntropy() {
        GPTModel m = model(false, false, 2);
        int[] text = new int[30];
        SeededRandom rng = new SeededRandom(9);
        for (int i = 0; i < text.length; i++) text[i] = rng.nextInt(37);
        int window = 8;
        double sum = 0;
        int count = 0;
        try (var off = Grad.off()) {
            for (int start = 0; start + window < text.length; start += window) {
                float[] logits = m.forward(IntNDArray.of(java.util.Arrays.copyOfRange(text, start, start + window), 1, window)).data().toArray();
                for (int j = 0; j < window; j++) {
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int v = 0; v < 37; v++) max = Math.max(max, logits[j * 37 + v]);
                    for (int v = 0; v < 37; v++) z += Math.exp(logits[j * 37 + v] - max);
                    sum += max + Math.log(z) - logits[j * 37 + text[start + j + 1]];
                    count++;
                }
            }
        }
        int[] windows = {0};
        Perplexity.Result r = Perplexity.of(new MatVecDecoder(m, 12, WeightFormat.FP32), text, window, w -> windows[0] = w);
        assertEquals(24, r.tokens(), "three whole windows of 8; the last 5 tokens are dropped as GPTDatasetV1 drops them");
        assertEquals(3, windows[0]);
        assertEquals(sum / count, r.loss(), 1e-5);
        assertEquals(Math.exp(sum / count), r.perplexity(), 1e-4);
        var e = assertThrows(IllegalArgumentException.class, () -> Perplexity.of(new ModelDecoder(m, 12), new int[8], 8));
        assertEquals("Perplexity: the text has 8 tokens; a window of 8 needs at least 9", e.getMessage());
    }

    @Test
    void aModelWithAnAdapterOrABadTokenIsAClearError() {
        GPTModel m = model(false, false, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new MatVecDecoder(m, 12, WeightFormat.FP32).next(37));
        assertEquals("MatVecDecoder: token 37 is outside the vocabulary of 37", e.getMessage());
        llm.nn.Module at = m;
        for (String part : "trf_blocks.0.att.W_query".split("\\.")) at = at.children().get(part);
        Linear query = (Linear) at;
        query.attachAdapter("lora", new Linear(24, 24, false, new SeededRandom(1)));
        e = assertThrows(IllegalArgumentException.class, () -> new MatVecDecoder(m, 12, WeightFormat.BF16));
        assertTrue(e.getMessage().contains("carries a LoRA adapter (trf_blocks.0.att.W_query.lora.weight); merge it"), e.getMessage());
    }
}
