package llm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import llm.autograd.Grad;
import llm.generation.Generator;
import llm.generation.ModelDecoder;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/**
 * Generation on the device against the CPU: the logits of every position of a sequence fed token by token through
 * the device's KV cache match {@code GPTModel.forward} on the whole sequence; greedy decoding gives the CPU's
 * tokens, past the end of the window too (the cache is refilled); a tied head and biases are covered.
 */
class GpuDecoderTest {
    @Test
    void logitsOfEveryPositionMatchTheCpuForwardPass() {
        GPTConfig cfg = new GPTConfig(97, 16, 32, 4, 5, 0f, true);            // 5 blocks: two graphs of blocks
        GPTModel model = new GPTModel(cfg, true, new SeededRandom(3));
        model.eval();
        int t = 11;
        int[] ids = new int[t];
        SeededRandom rng = new SeededRandom(9);
        for (int i = 0; i < t; i++) ids[i] = rng.nextInt(cfg.vocabSize());
        float[] cpu;
        try (var off = Grad.off()) {
            cpu = model.forward(IntNDArray.of(ids, 1, t)).data().contiguous().toArray();
        }
        GpuGptDecoder decoder = new GpuGptDecoder(model, 16);
        try {
            for (int round = 0; round < 2; round++) {                          // the second round starts again from position 0
                for (int i = 0; i < t; i++) {
                    float[] gpu = round == 1 && i == 0 ? decoder.prefill(new int[] {ids[0]}) : decoder.next(ids[i]);
                    float[] row = java.util.Arrays.copyOfRange(cpu, i * cfg.vocabSize(), (i + 1) * cfg.vocabSize());
                    double worst = KernelChecks.worst(row, gpu);
                    assertTrue(worst < 1e-4, "round " + round + ", position " + i + ": largest relative difference " + worst);
                }
            }
        } finally {
            decoder.close();
        }
    }

    @Test
    void greedyGenerationGivesTheCpuTokens() {
        GPTConfig cfg = new GPTConfig(61, 12, 32, 4, 2, 0f, false);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(11));
        model.eval();
        int[] prompt = {5, 17, 3, 42};
        int[] cpu = Generator.generate(new ModelDecoder(model, 12), prompt, 20, SamplingOptions.GREEDY, id -> {});
        GpuGptDecoder decoder = new GpuGptDecoder(model, 12);
        try {
            int[] gpu = Generator.generate(decoder, prompt, 20, SamplingOptions.GREEDY, id -> {});
            assertArrayEquals(cpu, gpu, "24 tokens through a window of 12: the cache is refilled twice");
        } finally {
            decoder.close();
        }
    }
}
