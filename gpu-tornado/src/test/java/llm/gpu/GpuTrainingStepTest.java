package llm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.nn.Module;
import llm.optim.AdamW;
import llm.optim.GradientClipping;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/**
 * The device-resident training step against the CPU's: the same small GPT trained for 3 AdamW steps
 * on the same batches, with gradient clipping; the losses, the gradient norms and every parameter afterwards agree
 * within 1e-4 relative, and so does the forward-only loss after them. Three blocks (more than TornadoVM's graph of
 * 1,024 nodes would hold in one TaskGraph), with and without a tied head and query-key-value biases.
 */
class GpuTrainingStepTest {
    @Test
    void threeStepsOnTheDeviceMatchThreeOnTheCpu() throws Exception {
        check(new GPTConfig(61, 16, 32, 4, 3, 0f, false), false, 0.5, false);
    }

    /** The same with the register-blocked matmul ({@code -Dllm.gpu.matmul=blocked}) for every product of the step. */
    @Test
    void threeStepsWithTheBlockedMatmulMatchToo() throws Exception {
        check(new GPTConfig(61, 16, 32, 4, 2, 0f, true), true, 0.5, Targets.SOME_IGNORED, true);
    }

    /**
     * Dropout (0.2 here, twice the book's, so that more is dropped): the device draws the masks the CPU draws from the model's
     * generator, after the embeddings, on the attention weights and on both shortcuts, so the steps still agree.
     */
    @Test
    void dropoutOnTheDeviceDropsWhatTheCpuDrops() throws Exception {
        check(new GPTConfig(61, 16, 32, 4, 2, 0.2f, false), false, 0.5, false);
    }

    /** GPT-2's tied head, biases, and targets of -100 (instruction fine-tuning's padding), which do not count. */
    @Test
    void aTiedHeadWithBiasesAndIgnoredTargetsMatchesToo() throws Exception {
        check(new GPTConfig(53, 16, 32, 4, 2, 0f, true), true, 0, true);
    }

    /**
     * Classification fine-tuning (Book chapter 6): a two-class head with a bias, every block but the last frozen
     * with the token and position embeddings (§6.5), and the loss of the last token only (every other target -100).
     * The frozen parameters stay exactly as they were; the rest matches the CPU's AdamW steps.
     */
    @Test
    void aClassifierWithFrozenBlocksMatchesToo() throws Exception {
        check(new GPTConfig(61, 16, 32, 4, 3, 0f, true), false, 0.5, Targets.LAST_TOKEN_CLASS);
    }

    /**
     * The two halves of a step with a weight per position, how DPO's loss reaches the device: {@code tokenLosses}
     * gives the CPU's {@code -log p} of every position, and after {@code update} with weights of either sign (a
     * rejected response's are positive, a chosen one's negative) every parameter matches the CPU's AdamW step on
     * {@code Σ w_i · (-log p_i)}, twice; {@code evalTokenLosses} then matches the CPU's forward pass.
     */
    @Test
    void perTokenLossesAndWeightedUpdatesMatchTheCpu() throws Exception {
        GPTConfig cfg = new GPTConfig(53, 16, 32, 4, 2, 0f, true);
        GPTModel cpu = new GPTModel(cfg, true, new SeededRandom(5)), start = new GPTModel(cfg, true, new SeededRandom(5));
        int b = 2, t = 12;
        double lr = 1e-3;
        SeededRandom rng = new SeededRandom(8);
        AdamW opt = new AdamW(cpu.namedParameters(), lr, AdamW.Options.withWeightDecay(0.1));
        int[] x = new int[b * t], y = new int[b * t];
        float[] w = new float[b * t];
        try (GpuGptTrainer gpu = new GpuGptTrainer(start, b, t, 0.1)) {
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = rng.nextInt(cfg.vocabSize());
                    y[i] = i % 4 == 1 ? GpuGptTrainer.IGNORE_INDEX : rng.nextInt(cfg.vocabSize());
                    w[i] = (rng.nextFloat() - 0.5f) * 0.2f;
                }
                cpu.train();
                opt.zeroGrad();
                Tensor nll = negativeLogProbs(cpu, x, y, b, t);
                nll.mul(Tensor.constant(NDArray.of(w, b, t))).sum().backward();
                double norm = GradientClipping.clipGlobalNorm(cpu.parameters(), 0.5);
                opt.step();
                float[] expected = nll.data().toArray(), losses = gpu.tokenLosses(x, y);
                assertTrue(KernelChecks.worst(expected, losses) < 1e-4, "per-token losses at step " + (s + 1));
                assertEquals(norm, gpu.update(w, lr, 0.5), 1e-4 * norm, "gradient norm at step " + (s + 1));
            }
            Map<String, float[]> after = gpu.parameters();
            for (var e : cpu.namedParameters().entrySet()) {
                double worst = KernelChecks.worst(e.getValue().data().contiguous().toArray(), after.get(e.getKey()));
                double tolerance = e.getKey().endsWith("W_key.bias") ? 3 * lr : 1e-4;      // as in check() below
                assertTrue(worst < tolerance, e.getKey() + ": largest relative difference " + worst);
            }
            cpu.eval();
            try (var off = Grad.off()) {
                assertTrue(KernelChecks.worst(negativeLogProbs(cpu, x, y, b, t).data().toArray(), gpu.evalTokenLosses(x, y)) < 1e-4, "evaluation's per-token losses");
            }
        }
    }

    /**
     * A small head's outputs to the host and their gradients back, how a reward model's loss reaches the device: a
     * one-output head with a bias (Book §8.3), the embeddings and the first block frozen; {@code headOutputs} gives the
     * CPU's outputs at every position, and after {@code updateFromOutputs} with gradients at a few positions only (the
     * last response tokens) every parameter matches the CPU's AdamW step on {@code Σ g · output}, twice.
     */
    @Test
    void headOutputsAndTheirGradientsMatchTheCpu() throws Exception {
        GPTConfig cfg = new GPTConfig(53, 16, 32, 4, 2, 0f, true);
        GPTModel cpu = new GPTModel(cfg, false, new SeededRandom(5)), start = new GPTModel(cfg, false, new SeededRandom(5));
        for (GPTModel m : new GPTModel[] {cpu, start}) {
            m.replaceOutputHead(new Linear(cfg.embDim(), 1, true, new SeededRandom(9)));
            m.requiresGrad(true);
            m.children().get("tok_emb").requiresGrad(false);
            m.children().get("pos_emb").requiresGrad(false);
            ((Module) m.children().get("trf_blocks")).children().values().iterator().next().requiresGrad(false);
        }
        int b = 4, t = 12;
        double lr = 1e-3;
        SeededRandom rng = new SeededRandom(8);
        AdamW opt = new AdamW(cpu.namedParameters(), lr, AdamW.Options.withWeightDecay(0.1));
        int[] x = new int[b * t];
        float[] g = new float[b * t];
        try (GpuGptTrainer gpu = new GpuGptTrainer(start, b, t, 0.1)) {
            for (int s = 0; s < 2; s++) {
                java.util.Arrays.fill(g, 0f);
                for (int i = 0; i < x.length; i++) x[i] = rng.nextInt(cfg.vocabSize());
                for (int r = 0; r < b; r++) g[r * t + 5 + rng.nextInt(t - 5)] = (rng.nextFloat() - 0.5f) * 0.5f;
                cpu.train();
                opt.zeroGrad();
                Tensor outputs = cpu.forward(IntNDArray.of(x, b, t));
                outputs.mul(Tensor.constant(NDArray.of(g, b, t, 1))).sum().backward();
                double norm = GradientClipping.clipGlobalNorm(cpu.parameters(), 0.5);
                opt.step();
                assertTrue(KernelChecks.worst(outputs.data().toArray(), gpu.headOutputs(x)) < 1e-4, "head outputs at step " + (s + 1));
                assertEquals(norm, gpu.updateFromOutputs(g, lr, 0.5), 1e-4 * norm, "gradient norm at step " + (s + 1));
            }
            Map<String, float[]> after = gpu.parameters();
            for (var e : cpu.namedParameters().entrySet()) {
                double worst = KernelChecks.worst(e.getValue().data().contiguous().toArray(), after.get(e.getKey()));
                double tolerance = e.getKey().endsWith("W_key.bias") ? 3 * lr : 1e-4;      // as in check() below
                if (!e.getValue().requiresGrad()) tolerance = 0;                             // frozen: exactly as it was
                assertTrue(worst <= tolerance, e.getKey() + ": largest relative difference " + worst);
            }
        }
    }

    /**
     * A model of which nothing trains (DPO's frozen reference) runs forward only: its per-token losses match the CPU's,
     * it keeps neither gradients nor AdamW's moments on the device (three arrays the size of the parameters fewer than a
     * trainer of the same model), and an update is refused.
     */
    @Test
    void aFrozenModelRunsForwardOnly() throws Exception {
        GPTConfig cfg = new GPTConfig(53, 16, 32, 4, 2, 0f, true);
        GPTModel cpu = new GPTModel(cfg, true, new SeededRandom(5)), frozen = new GPTModel(cfg, true, new SeededRandom(5));
        frozen.requiresGrad(false);
        int b = 2, t = 12;
        SeededRandom rng = new SeededRandom(8);
        int[] x = new int[b * t], y = new int[b * t];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(cfg.vocabSize());
            y[i] = i % 4 == 1 ? GpuGptTrainer.IGNORE_INDEX : rng.nextInt(cfg.vocabSize());
        }
        try (GpuGptTrainer forwardOnly = new GpuGptTrainer(frozen, b, t, 0); GpuGptTrainer training = new GpuGptTrainer(cpu, b, t, 0)) {
            long perParameter = new PackedParameters(cpu).total();
            assertEquals(training.floatsOnDevice() - 3 * (perParameter - 1), forwardOnly.floatsOnDevice(), "no gradients or moments");
            cpu.eval();
            try (var off = Grad.off()) {
                assertTrue(KernelChecks.worst(negativeLogProbs(cpu, x, y, b, t).data().toArray(), forwardOnly.evalTokenLosses(x, y)) < 1e-4, "per-token losses");
            }
            forwardOnly.tokenLosses(x, y);
            assertThrows(IllegalStateException.class, () -> forwardOnly.update(new float[b * t], 1e-3, 0));
        }
    }

    /** {@code -log p(y)} of every position {@code (B, T)} on the CPU, 0 where the target is ignored. */
    private static Tensor negativeLogProbs(GPTModel model, int[] x, int[] y, int b, int t) {
        int[] picked = new int[y.length];
        float[] counts = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            picked[i] = y[i] < 0 ? 0 : y[i];
            counts[i] = y[i] < 0 ? 0f : 1f;
        }
        Tensor logProbs = model.forward(IntNDArray.of(x, b, t)).logSoftmax(2).gather(2, IntNDArray.of(picked, b, t, 1)).reshape(b, t);
        return logProbs.mul(Tensor.constant(NDArray.of(counts, b, t))).neg();
    }

    /** What the batches' targets are: next tokens, some ignored, or a class at the last position only. */
    enum Targets { TOKENS, SOME_IGNORED, LAST_TOKEN_CLASS }

    static void check(GPTConfig cfg, boolean tied, double clip, boolean ignoreSome) throws Exception {
        check(cfg, tied, clip, ignoreSome ? Targets.SOME_IGNORED : Targets.TOKENS);
    }

    static void check(GPTConfig cfg, boolean tied, double clip, Targets targets) throws Exception {
        check(cfg, tied, clip, targets, false);
    }

    static void check(GPTConfig cfg, boolean tied, double clip, Targets targets, boolean blockedMatmul) throws Exception {
        GPTModel cpu = new GPTModel(cfg, tied, new SeededRandom(5)), start = new GPTModel(cfg, tied, new SeededRandom(5));
        int classes = cfg.vocabSize();
        if (targets == Targets.LAST_TOKEN_CLASS) {
            classes = 2;
            for (GPTModel m : new GPTModel[] {cpu, start}) {
                m.replaceOutputHead(new Linear(cfg.embDim(), classes, true, new SeededRandom(9)));
                m.requiresGrad(false);
                List<Module> blocks = List.copyOf(((Module) m.children().get("trf_blocks")).children().values());
                blocks.get(blocks.size() - 1).requiresGrad(true);
                m.children().get("final_norm").requiresGrad(true);
                m.outHead().requiresGrad(true);
            }
        }
        int b = 2, t = 12;
        double lr = 1e-3;
        SeededRandom rng = new SeededRandom(8);
        AdamW opt = new AdamW(cpu.namedParameters(), lr, AdamW.Options.withWeightDecay(0.1));
        int[] x = new int[b * t], y = new int[b * t];
        try (GpuGptTrainer gpu = new GpuGptTrainer(start, b, t, 0.1, blockedMatmul)) {
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = rng.nextInt(cfg.vocabSize());
                    y[i] = switch (targets) {
                        case TOKENS -> rng.nextInt(classes);
                        case SOME_IGNORED -> i % 5 == 3 ? GpuGptTrainer.IGNORE_INDEX : rng.nextInt(classes);
                        case LAST_TOKEN_CLASS -> i % t == t - 1 ? rng.nextInt(classes) : GpuGptTrainer.IGNORE_INDEX;
                    };
                }
                cpu.train();
                opt.zeroGrad();
                Tensor loss = CrossEntropy.apply(cpu.forward(IntNDArray.of(x, b, t)), IntNDArray.of(y, b * t));
                loss.backward();
                double norm = clip > 0 ? GradientClipping.clipGlobalNorm(cpu.parameters(), clip) : GradientClipping.globalNorm(cpu.parameters());
                opt.step();
                var r = gpu.step(x, y, lr, clip);
                assertEquals(loss.item(), r.loss(), 1e-4 * Math.abs(loss.item()), "loss at step " + (s + 1));
                assertEquals(norm, r.gradNorm(), 1e-4 * norm, "gradient norm at step " + (s + 1));
            }
            Map<String, float[]> after = gpu.parameters();
            for (var e : cpu.namedParameters().entrySet()) {
                double worst = KernelChecks.worst(e.getValue().data().contiguous().toArray(), after.get(e.getKey()));
                // The key projection's bias has a gradient of exactly 0 (adding one vector to every key shifts a
                // query's scores by a constant, which the softmax ignores); AdamW divides the rounding noise that
                // stands in for it by its own size, so each step moves it by up to lr either way, on both devices.
                double tolerance = e.getKey().endsWith("W_key.bias") ? 3 * lr : 1e-4;
                if (!e.getValue().requiresGrad()) tolerance = 0;          // frozen: exactly as it was
                assertTrue(worst <= tolerance, e.getKey() + ": largest relative difference " + worst);
            }
            cpu.eval();
            try (var off = Grad.off()) {
                double expected = CrossEntropy.apply(cpu.forward(IntNDArray.of(x, b, t)), IntNDArray.of(y, b * t)).item();
                assertEquals(expected, gpu.loss(x, y), 1e-4 * expected, "forward-only loss after the steps");
            }
        }
    }
}
