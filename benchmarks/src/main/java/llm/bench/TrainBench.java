package llm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import llm.data.Batch;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.tensor.IntNDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import llm.pretraining.LanguageModelLoss;
import llm.autograd.Tensor;

/**
 * GPT-2 124M training steps (forward, backward, AdamW), the book's configuration (dropout 0.1, no qkv bias,
 * untied head, AdamW lr 4e-4, weight decay 0.1), at batch B × T tokens: tokens per second and the process's peak
 * resident memory. The peer is {@code benchmarks/torch_train.py}, the same model and step in PyTorch.
 *
 * {@snippet :
 * java --add-modules jdk.incubator.vector -XX:+UseG1GC -XX:G1HeapRegionSize=32m -Xmx4400m -Dllm.threads=2 -cp benchmarks/target/benchmarks.jar llm.bench.TrainBench 4 256 3
 * }
 */
public final class TrainBench {
    private TrainBench() {}

    public static void main(String[] args) throws IOException {
        int b = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int t = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        GPTConfig cfg = GPTConfig.GPT2_SMALL.withContextLength(Math.max(t, 256));
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(123));
        AdamW opt = new AdamW(model.namedParameters(), 4e-4, AdamW.Options.withWeightDecay(0.1));
        int[] ids = new int[b * (t + 1)];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 50257;
        int[] x = new int[b * t], y = new int[b * t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids, r * (t + 1), x, r * t, t);
            System.arraycopy(ids, r * (t + 1) + 1, y, r * t, t);
        }
        Batch batch = new Batch(IntNDArray.of(x, b, t), IntNDArray.of(y, b, t));
        model.train();
        double[] times = new double[steps];
        double[] phases = new double[3];
        for (int s = -1; s < steps; s++) {   // one warm-up step
            long start = System.nanoTime();
            opt.zeroGrad();
            Tensor loss = LanguageModelLoss.calcLossBatch(model, batch);
            long forward = System.nanoTime();
            loss.backward();
            long backward = System.nanoTime();
            opt.step();
            long end = System.nanoTime();
            if (s >= 0) {
                times[s] = (end - start) / 1e9;
                phases[0] += (forward - start) / 1e9;
                phases[1] += (backward - forward) / 1e9;
                phases[2] += (end - backward) / 1e9;
            }
            System.out.printf("step %d: loss %.4f, %.2f s%n", s + 1, loss.item(), (end - start) / 1e9);
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2];
        double flops = ModelFlops.trainingStep(cfg, b, t);
        System.out.printf("java, threads %d, batch %d x %d: median step %.3f s, %.1f tokens/s, %.0f model GFLOP per step = %.1f GFLOP/s "
                        + "(forward %.2f s, backward %.2f s, AdamW %.2f s per step), steps %s, peak RSS %.2f GB%n",
                Parallelism.DEFAULT.threads(), b, t, median, b * t / median, flops / 1e9, flops / median / 1e9, phases[0] / steps, phases[1] / steps,
                phases[2] / steps, Arrays.toString(times), peakRssGigabytes());
    }

    /** VmHWM of /proc/self/status: the most resident memory the process has had (Linux). */
    static double peakRssGigabytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return Double.NaN;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
        }
        return Double.NaN;
    }
}
