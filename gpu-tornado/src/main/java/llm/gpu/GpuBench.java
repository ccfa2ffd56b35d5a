package llm.gpu;

import java.util.Arrays;

import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;

/**
 * Tokens per second of a GPT-2 124M training step (4 × 256 tokens, fp32, the book's model without dropout) and of
 * greedy generation with a KV cache (4 prompt tokens, 64 new; matrices in fp32, fp16, then int8), on TornadoVM's default device: the side of the
 * comparison that {@code benchmarks/torch_gpu_gpt2.py} is the PyTorch peer of, run on the same GPU in the same
 * session. Medians of 10 steps and 5 generations after one of each to compile the kernels, with the range.
 *
 * {@snippet :
 * java @$TORNADOVM_HOME/tornado-argfile --add-modules jdk.incubator.vector -Dtornado.tvm.maxbytecodesize=1048576 \
 *     -Dtornado.recover.bailout=False -cp gpu-tornado/target/classes:gpt/target/classes:nn/target/classes:autograd/target/classes:tensor-core/target/classes \
 *     llm.gpu.GpuBench
 * }
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) {
        GPTConfig cfg = new GPTConfig(50257, 1024, 768, 12, 12, 0f, false);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(123));
        int b = 4, t = 256;
        SeededRandom rng = new SeededRandom(1);
        int[] x = new int[b * t], y = new int[b * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(cfg.vocabSize());
            y[i] = rng.nextInt(cfg.vocabSize());
        }
        System.out.println("device: " + Devices.defaultDevice());
        try (GpuGptTrainer trainer = new GpuGptTrainer(model, b, t, 0.1)) {
            long c0 = System.nanoTime();
            trainer.step(x, y, 4e-4, 0);
            System.out.printf("first step (compiles the kernels): %.1f s%n", (System.nanoTime() - c0) / 1e9);
            double[] s = new double[10];
            for (int i = 0; i < s.length; i++) {
                long t0 = System.nanoTime();
                trainer.step(x, y, 4e-4, 0);                     // the loss comes back to the host: the step has finished
                s[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(s);
            double med = s[s.length / 2];
            System.out.printf("tornadovm training step GPT-2 124M 4x256 fp32: median %.1f ms (%.1f-%.1f) = %,.0f tokens/s%n", med * 1e3, s[0] * 1e3,
                    s[s.length - 1] * 1e3, b * t / med);
        }
        for (String weights : DeviceWeights.FORMATS) {
            try {
                generation(model, weights);
            } catch (IllegalArgumentException e) {
                System.out.println("tornadovm generation, " + weights + " weights: " + e.getMessage());
            }
        }
    }

    /** Greedy generation, 4 prompt tokens and 64 new, with the matrices read in {@code weights}. */
    private static void generation(GPTModel model, String weights) {
        GpuGptDecoder decoder = new GpuGptDecoder(model, model.config().contextLength(), weights);
        try {
            int[] prompt = {15496, 11, 314, 716};
            Generator.generate(decoder, prompt, 64, SamplingOptions.GREEDY, id -> {});
            double[] s = new double[5];
            for (int i = 0; i < s.length; i++) {
                long t0 = System.nanoTime();
                Generator.generate(decoder, prompt, 64, SamplingOptions.GREEDY, id -> {});
                s[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(s);
            double med = s[s.length / 2];
            System.out.printf("tornadovm generation GPT-2 124M, %s weights, 4 prompt + 64 new tokens, batch 1, KV cache: median %.3f s (%.3f-%.3f) = %,.1f tokens/s%n",
                    weights, med, s[0], s[s.length - 1], 67 / med);
        } finally {
            decoder.close();
        }
    }
}
