package llm.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import llm.autograd.Grad;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/** A small GPT's forward pass on the device, composed of the kernels, against {@code GPTModel.forward} on the CPU. */
class GptForwardTest {
    @Test
    void deviceLogitsMatchTheCpuModel() throws Exception {
        for (boolean qkvBias : new boolean[] {false, true}) {
            GPTConfig cfg = new GPTConfig(97, 16, 32, 4, 2, 0f, qkvBias);
            GPTModel model = new GPTModel(cfg, false, new SeededRandom(3));
            model.eval();
            int b = 2, t = 11;
            int[] ids = new int[b * t];
            SeededRandom rng = new SeededRandom(9);
            for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(cfg.vocabSize());
            float[] cpu;
            try (var off = Grad.off()) {
                cpu = model.forward(IntNDArray.of(ids, b, t)).data().contiguous().toArray();
            }
            float[] gpu;
            try (GpuGptForward forward = new GpuGptForward(model, b, t)) {
                gpu = forward.logits(ids);
                gpu = forward.logits(ids);                  // a second run reuses the weights on the device
            }
            double worst = KernelChecks.worst(cpu, gpu);
            assertTrue(worst < 1e-4, "qkv bias " + qkvBias + ": largest relative difference " + worst);
        }
    }
}
