package llm.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/** Book chapter 4: the parameter counts of the GPT-2 sizes, the model's names, and that it learns. */
class GPTModelTest {

    @Test
    void parameterCountsMatchTheBook() {
        GPTConfig small = GPTConfig.GPT2_SMALL;
        assertEquals(163_009_536L, small.parameterCount(false));
        assertEquals(124_412_160L, small.parameterCount(true));
        assertEquals(4_722_432L, small.feedForwardParameters());
        assertEquals(2_360_064L, small.attentionParameters());
        assertEquals(406_212_608L, GPTConfig.GPT2_MEDIUM.parameterCount(false));
        assertEquals(838_220_800L, GPTConfig.GPT2_LARGE.parameterCount(false));
        assertEquals(1_637_792_000L, GPTConfig.GPT2_XL.parameterCount(false));
    }

    @Test
    void the124MModelHasThoseParametersAndRunsOnAThousandTokensInATwoGigabyteHeap() {
        // surefire runs tests with -Xmx2g
        GPTModel model = new GPTModel(GPTConfig.GPT2_SMALL, false, new SeededRandom(123));
        assertEquals(163_009_536L, model.numParameters());
        assertEquals(621.83, model.sizeMegabytes(), 0.005);
        model.eval();
        int[] ids = new int[1024];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 50257;
        try (var off = Grad.off()) {
            Tensor logits = model.forward(IntNDArray.of(ids, 1, 1024));
            assertArrayEquals(new int[] {1, 1024, 50257}, logits.shape());
        }
    }

    @Test
    void weightTyingSharesTheMatrix() {
        GPTConfig tiny = new GPTConfig(50, 8, 16, 2, 2, 0f, false);
        GPTModel tied = new GPTModel(tiny, true, new SeededRandom(1));
        assertSame(tied.tokEmb.weight, tied.outHead.weight);
        assertEquals(tiny.parameterCount(true), tied.numParameters());
        assertEquals(tiny.parameterCount(false), new GPTModel(tiny, false, new SeededRandom(1)).numParameters());
        GPTModel withBias = new GPTModel(tiny.withQkvBias(true), false, new SeededRandom(1));
        assertEquals(tiny.withQkvBias(true).parameterCount(false), withBias.numParameters());
    }

    @Test
    void stateDictNamesFollowTheBook() {
        GPTModel model = new GPTModel(new GPTConfig(50, 8, 16, 2, 2, 0f, false), false, new SeededRandom(1));
        Map<String, NDArray> state = model.stateDict();
        for (String name : new String[] {"tok_emb.weight", "pos_emb.weight", "trf_blocks.0.att.W_query.weight", "trf_blocks.1.att.out_proj.bias",
                "trf_blocks.0.ff.layers.0.weight", "trf_blocks.0.ff.layers.2.bias", "trf_blocks.0.norm1.scale", "trf_blocks.1.norm2.shift",
                "final_norm.scale", "out_head.weight"}) {
            assertTrue(state.containsKey(name), name + " in " + state.keySet());
        }
        GPTModel other = new GPTModel(new GPTConfig(50, 8, 16, 2, 2, 0f, false), false, new SeededRandom(2));
        other.loadStateDict(state);
        assertArrayEquals(state.get("out_head.weight").toArray(), other.stateDict().get("out_head.weight").toArray());
        state = new java.util.LinkedHashMap<>(state);
        state.put("final_norm.scale", NDArray.ones(17));
        Map<String, NDArray> bad = state;
        var e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(bad));
        assertTrue(e.getMessage().contains("final_norm.scale") && e.getMessage().contains("(17,)"), e.getMessage());
    }

    @Test
    void aTinyModelLearnsARepeatingSequence() {
        GPTConfig cfg = new GPTConfig(12, 16, 32, 4, 2, 0f, false);
        GPTModel model = new GPTModel(cfg, false, new SeededRandom(7));
        int[] x = new int[32], y = new int[32];
        for (int i = 0; i < 32; i++) {
            x[i] = (i % 16) % 12;
            y[i] = ((i % 16) + 1) % 12;
        }
        IntNDArray inputs = IntNDArray.of(x, 2, 16), targets = IntNDArray.of(y, 2, 16);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++) {
            model.zeroGrad();
            Tensor loss = CrossEntropy.apply(model.forward(inputs), targets);
            loss.backward();
            for (Tensor p : model.parameters()) p.setData(p.data().sub(p.grad().mul(0.1f)));
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.3f * first, "loss went from " + first + " to " + last);
    }
}
