package llm.pretraining;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import llm.autograd.Tensor;
import llm.data.Batch;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.GradientClipping;
import llm.optim.Optimizer;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.formats.SafeTensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole model against PyTorch, as llm.c's {@code test_gpt2.c}: a small GPT-2 (tied head, qkv bias, no
 * dropout) starts from the parameters PyTorch started from, runs one fixed batch, and must give PyTorch's logits
 * and loss, every parameter's gradient by name, and the parameters after three AdamW steps with weight decay and
 * gradient clipping. Each comparison prints its largest difference. The fixture is made by {@code
 * pretraining/src/test/python/make_whole_model_fixture.py}.
 */
class GPT2WholeModelTest {
    static final Path FIXTURE = Path.of("src/test/resources/llm/pretraining/gpt2-whole-model.safetensors");
    static final GPTConfig CONFIG = new GPTConfig(61, 12, 32, 4, 2, 0f, true);
    static SafeTensorsFile expected;

    @BeforeAll
    static void open() throws IOException {
        expected = SafeTensorsFile.open(FIXTURE);
    }

    @AfterAll
    static void close() {
        expected.close();
    }

    /** A model holding the fixture's starting parameters, each distinct tensor by its first name. */
    static GPTModel startingModel() {
        GPTModel model = new GPTModel(CONFIG, true, new SeededRandom(0));
        for (var e : Optimizer.distinct(model.namedParameters()).entrySet()) {
            NDArray want = expected.read("param." + e.getKey());
            float[] dst = e.getValue().data().storage();
            System.arraycopy(want.toArray(), 0, dst, e.getValue().data().offset(), want.numel());
        }
        return model;
    }

    static Batch batch() {
        return new Batch(ids(expected.read("inputs")), ids(expected.read("targets")));
    }

    private static IntNDArray ids(NDArray values) {
        float[] v = values.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return IntNDArray.of(out, values.shape());
    }

    /**
     * The largest {@code |a - b|} relative to the largest {@code |b|} of the tensor (its scale, as a norm-wise
     * error); printed, and checked against {@code tolerance}.
     */
    static double compare(String what, NDArray actual, NDArray want, double tolerance, List<String> failures) {
        float[] a = actual.contiguous().toArray(), b = want.toArray();
        if (a.length != b.length) {
            failures.add(what + ": " + a.length + " values, PyTorch has " + b.length);
            return Double.NaN;
        }
        double worstAbs = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            worstAbs = Math.max(worstAbs, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        double relative = worstAbs / scale;
        System.out.printf("%-44s max |diff| %.2e, relative to max |value| %.2e%n", what, worstAbs, relative);
        if (!(relative <= tolerance)) failures.add(what + ": max difference relative to the tensor's largest value " + relative + " > " + tolerance);
        return relative;
    }

    /**
     * The key projection's bias cannot change the output: it adds the same {@code q · b_k} to every score of a
     * query's row, and softmax ignores a shift. Its gradient is zero in exact arithmetic and rounding noise (about
     * 1e-9) in float, in PyTorch and here alike; AdamW divides that noise by its own square root and moves the
     * bias by about {@code lr} in a direction the noise decides. So its gradient is checked to be noise, and its
     * updated value is not compared.
     */
    static boolean isKeyBias(String name) {
        return name.endsWith("att.W_key.bias");
    }

    static void compareGradient(String name, Tensor parameter, List<String> failures) {
        NDArray want = expected.read("grad." + name);
        if (!isKeyBias(name)) {
            compare("grad." + name, parameter.grad(), want, 1e-4, failures);
            return;
        }
        for (float[] values : List.of(parameter.grad().contiguous().toArray(), want.toArray())) {
            for (float v : values) if (Math.abs(v) > 1e-6f) failures.add("grad." + name + ": " + v + " where only rounding noise belongs");
        }
    }

    @Test
    void logitsLossGradientsAndThreeAdamWStepsMatchPyTorch() {
        GPTModel model = startingModel();
        model.train();
        Batch batch = batch();
        List<String> failures = new ArrayList<>();
        Map<String, Tensor> params = Optimizer.distinct(model.namedParameters());
        AdamW optimizer = new AdamW(model.namedParameters(), 1e-3, AdamW.Options.withWeightDecay(0.1));
        float[] losses = expected.read("losses").toArray();
        for (int step = 0; step < 3; step++) {
            optimizer.zeroGrad();
            Tensor logits = model.forward(batch.inputs());
            Tensor loss = llm.autograd.fused.CrossEntropy.apply(logits.flatten(0, 1), batch.targets().view(-1));
            loss.backward();
            compare("loss at step " + (step + 1), loss.data(), NDArray.scalar(losses[step]), 1e-5, failures);
            if (step == 0) {
                compare("logits", logits.data(), expected.read("logits"), 1e-4, failures);
                for (var e : params.entrySet()) compareGradient(e.getKey(), e.getValue(), failures);
            }
            GradientClipping.clipGlobalNorm(optimizer.parameters().values(), 1.0);
            optimizer.step();
        }
        for (var e : params.entrySet()) {
            if (!isKeyBias(e.getKey())) compare("after." + e.getKey(), e.getValue().data(), expected.read("after." + e.getKey()), 1e-4, failures);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The check can fail: one gradient element off by 0.1 % of the tensor's scale is caught and named. */
    @Test
    void aBrokenGradientIsCaught() {
        GPTModel model = startingModel();
        Batch batch = batch();
        Tensor loss = llm.autograd.fused.CrossEntropy.apply(model.forward(batch.inputs()).flatten(0, 1), batch.targets().view(-1));
        loss.backward();
        Tensor broken = model.namedParameters().get("trf_blocks.1.att.W_key.weight");
        float[] g = broken.grad().storage();
        int at = broken.grad().offset();
        float scale = 0;
        for (int i = 0; i < broken.numel(); i++) scale = Math.max(scale, Math.abs(g[at + i]));
        g[at + 5] += 1e-3f * scale;
        List<String> failures = new ArrayList<>();
        for (var e : Optimizer.distinct(model.namedParameters()).entrySet()) compareGradient(e.getKey(), e.getValue(), failures);
        assertTrue(failures.size() == 1 && failures.get(0).startsWith("grad.trf_blocks.1.att.W_key.weight"), failures.toString());
    }
}
