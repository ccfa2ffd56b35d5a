package llm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.generation.Generator;
import llm.generation.MatVecDecoder;
import llm.generation.ModelDecoder;
import llm.generation.SamplingOptions;
import llm.generation.TokenByTokenDecoder;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import llm.tensor.WeightFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Generation on the device against the CPU: the logits of every position of a sequence fed token by token through
 * the device's KV cache match {@code GPTModel.forward} on the whole sequence; greedy decoding gives the CPU's
 * tokens, past the end of the window too (the cache is refilled); a tied head and biases are covered. With int8
 * weights the logits are the CPU's int8 decoder's; with fp16 (on a device that has 16-bit floats), those of the same
 * model with its matrices rounded to fp16.
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
                    float[] row = Arrays.copyOfRange(cpu, i * cfg.vocabSize(), (i + 1) * cfg.vocabSize());
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

    @Test
    void int8WeightsGiveTheLogitsOfTheCpusInt8Decoder() {
        GPTConfig cfg = new GPTConfig(97, 16, 32, 4, 2, 0f, true);
        GPTModel model = new GPTModel(cfg, true, new SeededRandom(5));        // tied: the head is quantised from the embedding
        model.eval();
        int[] ids = randomIds(cfg, 9);
        float[][] cpuInt8 = stepByStep(new MatVecDecoder(model, 16, WeightFormat.INT8, Parallelism.SINGLE), ids);
        float[][] fp32 = stepByStep(new MatVecDecoder(model, 16, WeightFormat.FP32, Parallelism.SINGLE), ids);
        GpuGptDecoder decoder = new GpuGptDecoder(model, 16, "int8");
        float[][] gpu;
        try {
            gpu = stepByStep(decoder, ids);
        } finally {
            decoder.close();
        }
        double worstInt8 = 0, worstFp32 = 0;
        for (int i = 0; i < ids.length; i++) {
            worstInt8 = Math.max(worstInt8, KernelChecks.worst(cpuInt8[i], gpu[i]));
            worstFp32 = Math.max(worstFp32, KernelChecks.worst(fp32[i], gpu[i]));
        }
        assertTrue(worstInt8 < 1e-5, "against the CPU's int8 decoder: largest relative difference " + worstInt8);
        assertTrue(worstFp32 > 10 * worstInt8, "int8 should differ from fp32 by more than from the CPU's int8: " + worstFp32 + " against " + worstInt8);
    }

    @Test
    void fp16WeightsGiveTheLogitsOfTheModelWithItsMatricesRoundedToFp16() {
        String device = Devices.defaultDevice();
        // PoCL's CPU device has no 16-bit floats and refuses to build the kernel (said in one line by the decoder)
        Assumptions.assumeFalse(device.startsWith("pthread-"), "no 16-bit floats on " + device);
        GPTConfig cfg = new GPTConfig(97, 16, 32, 4, 2, 0f, true);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(5));       // untied: the head is a matrix of its own
        model.eval();
        int[] ids = randomIds(cfg, 9);
        float[] fp32 = logits(model, ids);
        GpuGptDecoder decoder = new GpuGptDecoder(model, 16, "fp16");          // built from the fp32 weights
        float[][] gpu;
        try {
            gpu = stepByStep(decoder, ids);
        } finally {
            decoder.close();
        }
        for (var e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            boolean matrix = name.endsWith(".weight") && e.getValue().rank() == 2 && !name.contains("emb");
            if (matrix) e.getValue().setData(roundedToFp16(e.getValue().data()));
        }
        float[] rounded = logits(model, ids);
        double worstRounded = 0, worstFp32 = 0;
        for (int i = 0; i < ids.length; i++) {
            int from = i * cfg.vocabSize(), to = from + cfg.vocabSize();
            worstRounded = Math.max(worstRounded, KernelChecks.worst(Arrays.copyOfRange(rounded, from, to), gpu[i]));
            worstFp32 = Math.max(worstFp32, KernelChecks.worst(Arrays.copyOfRange(fp32, from, to), gpu[i]));
        }
        assertTrue(worstRounded < 1e-5, "against the rounded model: largest relative difference " + worstRounded);
        assertTrue(worstFp32 > 10 * worstRounded, "fp16 should differ from fp32 by more than from the rounded model: "
                + worstFp32 + " against " + worstRounded);
    }

    private static int[] randomIds(GPTConfig cfg, int t) {
        int[] ids = new int[t];
        SeededRandom rng = new SeededRandom(4);
        for (int i = 0; i < t; i++) ids[i] = rng.nextInt(cfg.vocabSize());
        return ids;
    }

    /** The logits after each of {@code ids}, fed one at a time from position 0. */
    private static float[][] stepByStep(TokenByTokenDecoder decoder, int[] ids) {
        float[][] out = new float[ids.length][];
        out[0] = decoder.prefill(new int[] {ids[0]});
        for (int i = 1; i < ids.length; i++) out[i] = decoder.next(ids[i]);
        return out;
    }

    private static float[] logits(GPTModel model, int[] ids) {
        try (var off = Grad.off()) {
            return model.forward(IntNDArray.of(ids, 1, ids.length)).data().contiguous().toArray();
        }
    }

    private static NDArray roundedToFp16(NDArray w) {
        float[] v = w.contiguous().toArray();
        for (int i = 0; i < v.length; i++) v[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
        return NDArray.of(v, w.shape());
    }
}
