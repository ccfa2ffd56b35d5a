package llm.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.autograd.Tensor;
import llm.tensor.NDArray;
import llm.tensor.Parallelism;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/**
 * The optimisers against trajectories recorded from {@code torch.optim} by {@code
 * training/src/test/python/make_optimizer_fixtures.py}, the fast AdamW kernel against its reference, and the
 * helpers of Appendix D.
 */
class OptimizerTest {
    static JsonObject reference() throws IOException {
        return JsonParser.parseString(Files.readString(Path.of("src/test/resources/llm/optim/reference.json"))).getAsJsonObject();
    }

    static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsFloat();
        return out;
    }

    /** Runs the recorded gradients through {@code make}'s optimiser and compares every step with PyTorch. */
    static void replay(String name, Function<Map<String, Tensor>, Optimizer> make) throws IOException {
        JsonObject c = reference().getAsJsonObject(name);
        Tensor w = Tensor.parameter(NDArray.of(floats(c.getAsJsonObject("start").getAsJsonArray("w")), 3, 4));
        Tensor b = Tensor.parameter(NDArray.of(floats(c.getAsJsonObject("start").getAsJsonArray("b")), 4));
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("b", b);
        Optimizer opt = make.apply(params);
        JsonArray grads = c.getAsJsonArray("grads"), after = c.getAsJsonArray("after");
        for (int step = 0; step < grads.size(); step++) {
            opt.zeroGrad();
            w.accumulateGrad(NDArray.of(floats(grads.get(step).getAsJsonObject().getAsJsonArray("w")), 3, 4));
            b.accumulateGrad(NDArray.of(floats(grads.get(step).getAsJsonObject().getAsJsonArray("b")), 4));
            opt.step();
            JsonObject want = after.get(step).getAsJsonObject();
            assertArrayEquals(floats(want.getAsJsonArray("w")), w.data().toArray(), 2e-6f, name + " step " + (step + 1) + " w");
            assertArrayEquals(floats(want.getAsJsonArray("b")), b.data().toArray(), 2e-6f, name + " step " + (step + 1) + " b");
        }
    }

    @Test
    void adamWMatchesPyTorch() throws IOException {
        replay("adamw_book", p -> new AdamW(p, 4e-4, AdamW.Options.withWeightDecay(0.1)));
        replay("adamw_large_lr", p -> new AdamW(p, 0.05, new AdamW.Options(0.8, 0.95, 1e-6, 0.5, false)));
        replay("adamw_matrices_only", p -> new AdamW(p, 0.05, new AdamW.Options(0.9, 0.999, 1e-8, 0.5, true)));
    }

    @Test
    void sgdMatchesPyTorch() throws IOException {
        replay("sgd_plain", p -> new SGD(p, 0.1, SGD.Options.plain()));
        replay("sgd_momentum", p -> new SGD(p, 0.1, new SGD.Options(0.9, 0, 0.01, false)));
        replay("sgd_nesterov", p -> new SGD(p, 0.1, new SGD.Options(0.9, 0, 0, true)));
    }

    @Test
    void adamWResultDoesNotDependOnThreads() {
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            SeededRandom rng = new SeededRandom(3);
            Tensor p = Tensor.parameter(NDArray.randn(rng, 300, 700));
            AdamW opt = new AdamW(Map.of("p", p), 1e-3, AdamW.Options.withWeightDecay(0.1), new Parallelism(threads));
            for (int s = 0; s < 3; s++) {
                opt.zeroGrad();
                p.accumulateGrad(NDArray.randn(rng, 300, 700));
                opt.step();
            }
            results[threads - 1] = p.data().toArray();
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void sharedParameterIsUpdatedOnce() {
        Tensor shared = Tensor.parameter(NDArray.ones(2));
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("tok_emb.weight", shared);
        named.put("out_head.weight", shared);
        SGD sgd = new SGD(named, 1.0, SGD.Options.plain());
        assertEquals(List.of("tok_emb.weight"), List.copyOf(sgd.parameters().keySet()));
        shared.accumulateGrad(NDArray.full(0.25f, 2));
        sgd.step();
        assertArrayEquals(new float[] {0.75f, 0.75f}, shared.data().toArray());
    }

    @Test
    void stateRoundTripsAndIsValidated() {
        Tensor p = Tensor.parameter(NDArray.ones(2, 3));
        AdamW a = new AdamW(Map.of("p", p), 0.1, AdamW.Options.withWeightDecay(0));
        p.accumulateGrad(NDArray.full(0.5f, 2, 3));
        a.step();
        Map<String, NDArray> saved = new LinkedHashMap<>();
        a.state().forEach((k, v) -> saved.put(k, v.copy()));
        AdamW b = new AdamW(Map.of("p", Tensor.parameter(NDArray.ones(2, 3))), 0.1, AdamW.Options.withWeightDecay(0));
        b.loadState(saved, a.steps());
        assertEquals(1, b.steps());
        assertArrayEquals(a.state().get("exp_avg_sq.p").toArray(), b.state().get("exp_avg_sq.p").toArray());
        var missing = assertThrows(IllegalArgumentException.class, () -> b.loadState(Map.of("exp_avg.p", NDArray.zeros(2, 3)), 1));
        assertTrue(missing.getMessage().contains("exp_avg_sq.p"), missing.getMessage());
        var shape = assertThrows(IllegalArgumentException.class,
                () -> b.loadState(Map.of("exp_avg.p", NDArray.zeros(3, 2), "exp_avg_sq.p", NDArray.zeros(2, 3)), 1));
        assertTrue(shape.getMessage().contains("exp_avg.p") && shape.getMessage().contains("(3, 2)"), shape.getMessage());
    }

    @Test
    void clippingTheBooksExample() {
        // Appendix D.3: G = [[1, 2], [2, 4]] has norm 5; clipping to 1 leaves G / 5.
        Tensor p = Tensor.parameter(NDArray.zeros(2, 2));
        p.accumulateGrad(NDArray.of(new float[] {1, 2, 2, 4}, 2, 2));
        double norm = GradientClipping.clipGlobalNorm(List.of(p), 1.0);
        assertEquals(5.0, norm, 1e-9);
        assertArrayEquals(new float[] {0.2f, 0.4f, 0.4f, 0.8f}, p.grad().toArray(), 1e-6f);
        assertEquals(1.0, GradientClipping.globalNorm(List.of(p)), 1e-6);
        // Below the limit nothing changes.
        GradientClipping.clipGlobalNorm(List.of(p), 10.0);
        assertArrayEquals(new float[] {0.2f, 0.4f, 0.4f, 0.8f}, p.grad().toArray(), 1e-6f);
    }

    @Test
    void warmupThenCosine() {
        // Appendix D: initial 1e-4, peak 0.01, 20 warmup steps, min 1e-5 at step 100.
        LearningRateSchedule s = new LearningRateSchedule(1e-4, 0.01, 1e-5, 20, 100);
        assertEquals(1e-4, s.at(0), 1e-12);
        assertEquals(1e-4 + 10 * (0.01 - 1e-4) / 20, s.at(10), 1e-12);
        assertEquals(0.01, s.at(20), 1e-12);
        assertEquals((0.01 + 1e-5) / 2, s.at(60), 1e-12);
        assertEquals(1e-5, s.at(100), 1e-12);
        assertEquals(1e-5, s.at(1000), 1e-12);
        for (long i = 21; i <= 100; i++) assertTrue(s.at(i) <= s.at(i - 1), "cosine part decreases");
        assertEquals(3e-4, LearningRateSchedule.constant(3e-4).at(12345), 0);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 1, 0, 10, 5));
    }
}
