package llm.bench;

import java.util.Arrays;

import llm.autograd.Grad;
import llm.generation.ModelDecoder;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;

/**
 * GPT-2 124M on this machine, a bench main (not a test): the forward pass at batch 4 × 256 tokens, generation
 * tokens/s at batch 1 with the KV cache, and, in the same run, the memory bandwidth that bounds generation
 * (a parallel read of a 512 MB array). Threads: {@code -Dllm.threads=N}.
 *
 * {@snippet :
 * java --add-modules jdk.incubator.vector -Dllm.threads=2 -Xmx4g -cp benchmarks/target/benchmarks.jar llm.bench.GptBench
 * }
 */
public final class GptBench {
    private GptBench() {}

    public static void main(String[] args) {
        int threads = Parallelism.DEFAULT.threads();
        GPTModel model = new GPTModel(GPTConfig.GPT2_SMALL, false, new SeededRandom(123));
        model.eval();
        System.out.printf("threads: %d, model: GPT-2 124M (%,d parameters)%n", threads, model.numParameters());

        ReadBandwidth probe = new ReadBandwidth(threads);
        System.out.printf("memory read bandwidth: %.1f GB/s%n", probe.measure());

        int[] ids = new int[4 * 256];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 50257;
        IntNDArray batch = IntNDArray.of(ids, 4, 256);
        double[] times = new double[5];
        try (var off = Grad.off()) {
            model.forward(batch); // warm-up
            model.forward(batch);
            for (int r = 0; r < times.length; r++) {
                long start = System.nanoTime();
                model.forward(batch);
                times[r] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(times);
        System.out.printf("forward 4 x 256: median %.3f s (%.0f tokens/s), runs %s%n", times[2], 1024 / times[2], Arrays.toString(times));

        int[] prompt = {15496};
        int tokens = 128;
        ModelDecoder decoder = new ModelDecoder(model, 1024);
        for (int w = 0; w < 3; w++) GenerationBench.tokensPerSecond(decoder, prompt, tokens); // JIT warm-up
        double tokensPerSecond = GenerationBench.tokensPerSecond(decoder, prompt, tokens);
        probe.measure();
        double bandwidth = probe.best();
        double bytesPerToken = weightBytesReadPerToken(GPTConfig.GPT2_SMALL);
        System.out.printf("generation, batch 1, KV cache: %.1f tokens/s (%.2f GB of weights per token -> %.1f GB/s = %.2f of the best measured bandwidth, %.1f GB/s)%n",
                tokensPerSecond, bytesPerToken / 1e9, tokensPerSecond * bytesPerToken / 1e9, tokensPerSecond * bytesPerToken / 1e9 / bandwidth, bandwidth);
    }

    /** Everything but the token-embedding table (one row is read) goes through the cores once per token. */
    static double weightBytesReadPerToken(GPTConfig c) {
        return 4.0 * (c.parameterCount(false) - (long) c.vocabSize() * c.embDim() - (long) c.contextLength() * c.embDim());
    }
}
