package llm.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import llm.attention.KVCache;
import llm.autograd.Grad;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/** The KV cache gives what recomputing the window gives, and lets threads share one model. */
class KVCacheTest {
    private static GPTModel tinyModel() {
        GPTModel model = new GPTModel(new GPTConfig(40, 8, 32, 4, 3, 0.1f, true), false, new SeededRandom(11));
        model.eval();
        return model;
    }

    @Test
    void cachedLogitsEqualTheFullForwardPass() {
        GPTModel model = tinyModel();
        int[] ids = {3, 14, 15, 9, 26, 5};
        KVCache cache = model.newCache(1, 8);
        try (var off = Grad.off()) {
            float[] full = model.forward(IntNDArray.of(ids, 1, 6)).data().select(0, 0).select(0, 5).toArray();
            model.forwardCached(IntNDArray.of(new int[] {3, 14, 15, 9}, 1, 4), cache);   // prefill 4
            model.forwardCached(IntNDArray.of(new int[] {26}, 1, 1), cache);            // then one at a time
            float[] cached = model.forwardCached(IntNDArray.of(new int[] {5}, 1, 1), cache).data().toArray();
            assertArrayEquals(full, cached, 1e-4f);
            assertEquals(6, cache.length());
        }
    }

    @Test
    void greedyGenerationIsIdenticalWithAndWithoutTheCacheAlsoPastTheContextLength() {
        GPTModel model = tinyModel();
        for (int[] prompt : new int[][] {{1}, {1, 2, 3}, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14}}) {
            int[] without = Generator.generate(model, prompt, 20, 8, SamplingOptions.GREEDY, id -> {}, false);
            int[] with = Generator.generate(model, prompt, 20, 8, SamplingOptions.GREEDY, id -> {}, true);
            assertArrayEquals(without, with);
            assertEquals(prompt.length + 20, with.length);
        }
        SamplingOptions sampled = SamplingOptions.sample(1.3f, 10, 0.9f, 99);
        assertArrayEquals(Generator.generate(model, new int[] {2}, 15, 8, sampled, id -> {}, false),
                Generator.generate(model, new int[] {2}, 15, 8, sampled, id -> {}, true));
    }

    @Test
    void aBatchOfPromptsGivesEachRowItsOwnText() {
        GPTModel model = tinyModel();
        int[][] prompts = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        int[][] batch = Generator.generateBatch(model, prompts, 14, 8, SamplingOptions.GREEDY);
        for (int r = 0; r < prompts.length; r++) {
            assertArrayEquals(Generator.generate(model, prompts[r], 14, 8, SamplingOptions.GREEDY, id -> {}), batch[r], "row " + r);
        }
        SamplingOptions sampled = SamplingOptions.sample(1.2f, 8, 1f, 40);
        int[][] sampledBatch = Generator.generateBatch(model, prompts, 10, 8, sampled);
        for (int r = 0; r < prompts.length; r++) {
            SamplingOptions own = SamplingOptions.sample(1.2f, 8, 1f, 40 + r);
            assertArrayEquals(Generator.generate(model, prompts[r], 10, 8, own, id -> {}), sampledBatch[r], "sampled row " + r);
        }
        int eos = batch[1][4];
        int[][] stopped = Generator.generateBatch(model, prompts, 14, 8, SamplingOptions.GREEDY.withEos(eos));
        assertArrayEquals(java.util.Arrays.copyOf(batch[1], 4), stopped[1]);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Generator.generateBatch(model, new int[][] {{1, 2}, {3}}, 4, 8, SamplingOptions.GREEDY));
    }

    @Test
    void threadsSharingOneModelGetTheSameTextAsAlone() throws Exception {
        GPTModel model = tinyModel();
        int[][] prompts = {{1, 2}, {3}, {4, 5, 6}, {7}};
        List<int[]> alone = new ArrayList<>();
        for (int[] p : prompts) alone.add(Generator.generate(model, p, 12, 8, SamplingOptions.sample(1f, 0, 1f, 5), id -> {}));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<int[]>> futures = new ArrayList<>();
                for (int[] p : prompts) futures.add(pool.submit(() -> Generator.generate(model, p, 12, 8, SamplingOptions.sample(1f, 0, 1f, 5), id -> {})));
                for (int i = 0; i < prompts.length; i++) assertArrayEquals(alone.get(i), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
