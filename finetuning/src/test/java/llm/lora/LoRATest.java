package llm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.classification.ClassifierLoss;
import llm.classification.SpamClassifier;
import llm.classification.Trainable;
import llm.data.Batch;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appendix E's checks: the parameter counts, a LoRA layer that starts as the identity, gradients only in A and B, merging, saved adapters. */
class LoRATest {
    @TempDir
    Path tmp;

    static long trainable(GPTModel m) {
        long n = 0;
        for (Tensor t : m.parameters()) if (t.requiresGrad()) n += t.numel();
        return n;
    }

    static long total(GPTModel m) {
        long n = 0;
        for (Tensor t : m.parameters()) n += t.numel();
        return n;
    }

    @Test
    void gpt2SmallWithRank16HasTheBooksTrainableParameters() {
        GPTModel model = new GPTModel(GPTConfig.GPT2_SMALL.withDropRate(0f).withQkvBias(true), false, new SeededRandom(123));
        SpamClassifier.replaceHead(model, 2, new SeededRandom(123));
        assertEquals(124_441_346L, total(model), "appendix E: total parameters before freezing");
        model.requiresGrad(false);
        assertEquals(0, trainable(model));
        List<String> targets = LinearWithLoRA.replaceLinearWithLoRA(model, 16, 16, new SeededRandom(123));
        assertEquals(12 * 6 + 1, targets.size(), "q, k, v, out_proj and two feed-forward layers per block, and the head");
        assertEquals(2_666_528L, trainable(model), "appendix E: trainable LoRA parameters");
    }

    static GPTModel small(long seed) {
        GPTModel m = new GPTModel(new GPTConfig(97, 16, 32, 4, 2, 0f, true), false, new SeededRandom(seed));
        SpamClassifier.replaceHead(m, 2, new SeededRandom(seed + 1));
        return m;
    }

    static Batch batch() {
        int[] x = new int[3 * 16];
        for (int i = 0; i < x.length; i++) x[i] = (i * 31 + 7) % 97;
        return new Batch(IntNDArray.of(x, 3, 16), IntNDArray.of(new int[] {0, 1, 1}, 3));
    }

    @Test
    void aFreshAdapterChangesNothingAndOnlyAAndBLearn() {
        GPTModel model = small(1);
        Batch b = batch();
        float[] before;
        try (var off = Grad.off()) {
            before = model.forward(b.inputs()).data().toArray();
        }
        model.requiresGrad(false);
        LinearWithLoRA.replaceLinearWithLoRA(model, 4, 8, new SeededRandom(2));
        try (var off = Grad.off()) {
            assertArrayEquals(before, model.forward(b.inputs()).data().toArray(), "B = 0: exactly the base layer's output");
        }
        ClassifierLoss.calcLossBatch(model, b).backward();
        for (var e : model.namedParameters().entrySet()) {
            boolean lora = e.getKey().contains(".lora.");
            if (lora) assertTrue(e.getKey().endsWith(".A") || e.getKey().endsWith(".B"), e.getKey());
            if (lora && e.getKey().endsWith(".B")) assertNotNull(e.getValue().grad(), e.getKey() + " gets a gradient");
            if (!lora) assertNull(e.getValue().grad(), e.getKey() + " is frozen and gets no gradient");
        }
    }

    @Test
    void mergedAndUnmergedAgreeAndAdaptersRoundTrip() throws IOException {
        GPTModel model = small(3);
        model.requiresGrad(false);
        List<String> targets = LinearWithLoRA.replaceLinearWithLoRA(model, 4, 8, new SeededRandom(4));
        SeededRandom rng = new SeededRandom(5);
        for (var e : model.namedParameters().entrySet()) {       // as if trained: B away from zero
            if (e.getKey().endsWith(".lora.B")) e.getValue().setData(NDArray.randn(rng, e.getValue().shape()).mul(0.1f));
        }
        Batch b = batch();
        float[] adapted;
        try (var off = Grad.off()) {
            adapted = model.forward(b.inputs()).data().toArray();
        }
        Path file = tmp.resolve("adapters.safetensors");
        LoRAAdapters.save(file, model, 4, 8, targets);

        GPTModel base = new GPTModel(new GPTConfig(97, 16, 32, 4, 2, 0f, true), false, new SeededRandom(3));
        LoRAAdapters.load(file, base);
        try (var off = Grad.off()) {
            assertArrayEquals(adapted, base.forward(b.inputs()).data().toArray(), 1e-6f, "base + saved adapters = the adapted model");
            assertEquals(targets.size(), LinearWithLoRA.mergeAll(base));
            float[] merged = base.forward(b.inputs()).data().toArray();
            for (int i = 0; i < adapted.length; i++) assertEquals(adapted[i], merged[i], 1e-5f, "merged output " + i);
        }
        assertTrue(base.namedParameters().keySet().stream().noneMatch(k -> k.contains(".lora.")), "merged: no adapters left");

        GPTModel wider = new GPTModel(new GPTConfig(97, 16, 48, 4, 2, 0f, true), false, new SeededRandom(3));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LoRAAdapters.load(file, wider));
        assertTrue(e.getMessage().contains("adapters.safetensors") && e.getMessage().contains("was trained on a base"), e.getMessage());
    }

    @Test
    void trainableChoices() {
        GPTModel model = small(6);
        Trainable.LAST_BLOCK.apply(model);
        assertTrue(model.namedParameters().get("trf_blocks.1.att.W_query.weight").requiresGrad());
        assertTrue(!model.namedParameters().get("trf_blocks.0.att.W_query.weight").requiresGrad());
        assertTrue(model.namedParameters().get("final_norm.scale").requiresGrad() && model.namedParameters().get("out_head.weight").requiresGrad());
        Trainable.HEAD.apply(model);
        assertTrue(!model.namedParameters().get("final_norm.scale").requiresGrad() && model.namedParameters().get("out_head.bias").requiresGrad());
        assertEquals(Trainable.ALL, Trainable.parse("all"));
        assertEquals(2, Trainable.parse("blocks:2").lastBlocks());
    }
}
