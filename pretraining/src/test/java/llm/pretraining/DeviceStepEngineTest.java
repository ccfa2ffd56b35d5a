package llm.pretraining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import llm.data.Batch;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.generation.Decoder;
import llm.generation.ModelDecoder;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.GradientClipping;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam {@code --device gpu} trains through ({@link DeviceStepEngine}, {@code Trainer.engine}), checked in CI
 * without a GPU: a stand-in device that does what a device must (its own copy of the weights, autograd, clipping and
 * AdamW on it) trains the same run as the CPU engine to the same weights and evaluations, bit for bit; a run that
 * switches engines at a checkpoint ends where an unbroken run does (so the moments and step count come back from the
 * device); and a setting the device step lacks is refused before any work.
 */
class DeviceStepEngineTest {
    @TempDir
    Path tmp;

    /**
     * A "device" on the CPU: what GpuGptTrainer does on a GPU, with the CPU's kernels. Like it, the stand-in draws its
     * dropout masks from the model's generator and leaves the generator where the CPU's step would.
     */
    static final class StandIn implements DeviceTrainer {
        final GPTModel model, own;
        final AdamW opt;
        final int b, t;

        StandIn(GPTModel model, int b, int t, double weightDecay) {
            this.model = model;
            own = new GPTModel(model.config(), model.tiedHead(), new SeededRandom(0));
            own.loadStateDict(model.stateDict());
            opt = new AdamW(own.namedParameters(), 1, AdamW.Options.withWeightDecay(weightDecay));
            this.b = b;
            this.t = t;
        }

        @Override
        public Step step(int[] inputs, int[] targets, double lr, double clipNorm) {
            own.train();
            own.random().restoreState(model.random().saveState());
            opt.setLearningRate(lr);
            opt.zeroGrad();
            var loss = LanguageModelLoss.of(own).loss(new Batch(IntNDArray.of(inputs, b, t), IntNDArray.of(targets, b, t)));
            loss.backward();
            double norm = clipNorm > 0 ? GradientClipping.clipGlobalNorm(opt.parameters().values(), clipNorm) : GradientClipping.globalNorm(opt.parameters().values());
            opt.step();
            model.random().restoreState(own.random().saveState());
            return new Step(loss.item(), norm);
        }

        @Override
        public double loss(int[] inputs, int[] targets) {
            own.eval();
            try (var off = llm.autograd.Grad.off()) {
                return LanguageModelLoss.of(own).loss(new Batch(IntNDArray.of(inputs, b, t), IntNDArray.of(targets, b, t))).item();
            } finally {
                own.train();
            }
        }

        @Override
        public void copyTo(GPTModel model, Map<String, NDArray> adamState) {
            model.loadStateDict(own.stateDict());
            Map<String, NDArray> mine = opt.state();
            for (var e : adamState.entrySet()) {
                float[] src = mine.get(e.getKey()).contiguous().toArray();
                System.arraycopy(src, 0, e.getValue().storage(), e.getValue().offset(), src.length);
            }
        }

        @Override
        public void resumeFrom(long steps, Map<String, NDArray> adamState) {
            opt.loadState(adamState, steps);
        }

        @Override
        public long steps() {
            return opt.steps();
        }

        @Override
        public void close() {}
    }

    static final Accelerator STAND_IN = new Accelerator() {
        @Override
        public String description() {
            return "stand-in";
        }

        @Override
        public Decoder decoder(GPTModel model, int window, String weights) {
            return new ModelDecoder(model, window);
        }

        @Override
        public java.util.List<String> weightFormats() {
            return java.util.List.of("fp32");
        }

        @Override
        public DeviceTrainer trainer(GPTModel model, int batch, int context, double weightDecay) {
            return new StandIn(model, batch, context, weightDecay);
        }
    };

    PretrainingSettings settings(float dropout, long steps) throws IOException {
        TokenizerSpec tok = PretrainingData.textTokenizer(TrainerTest.VERDICT, "char");
        GPTConfig config = new GPTConfig(tok.create().vocabSize(), 16, 32, 4, 2, dropout, false);
        return PretrainingSettings.builder(TrainerTest.VERDICT.toAbsolutePath().toString(), tok, config)
                .steps(steps).batch(2).learningRate(1e-3).warmup(2, null).cosineTo(1e-4).clip(1.0, false)
                .evaluation(2, 2).samples(0, null, 0).checkpointEvery(3).build();
    }

    static Map<String, NDArray> weights(Path dir) throws IOException {
        Map<String, NDArray> out = new java.util.TreeMap<>();
        try (var f = llm.formats.SafeTensorsFile.open(dir.resolve(Checkpoint.FILE_NAME))) {
            for (String name : f.names()) out.put(name, f.read(name));              // the model's weights and AdamW's moments
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.1f})
    void theDeviceEngineTrainsTheSameRunAsTheCpu(float dropout) throws IOException {
        PretrainingRun cpu = PretrainingRun.start(settings(dropout, 6), tmp.resolve("cpu"), false);
        cpu.run();
        PretrainingRun dev = PretrainingRun.start(settings(dropout, 6), tmp.resolve("dev"), false).onDevice(STAND_IN);
        dev.run();
        assertEquals(cpu.trainer().history(), dev.trainer().history(), "evaluations");
        Map<String, NDArray> a = weights(tmp.resolve("cpu")), b = weights(tmp.resolve("dev"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
    }

    @Test
    void aRunResumedOnTheOtherEngineEndsWhereAnUnbrokenRunDoes() throws IOException {
        PretrainingRun whole = PretrainingRun.start(settings(0f, 6), tmp.resolve("whole"), false);
        whole.run();
        PretrainingRun first = PretrainingRun.start(settings(0f, 6), tmp.resolve("split"), false).onDevice(STAND_IN);
        first.trainer().runUntil(3);                                   // the checkpoint of step 3 holds the device's moments
        PretrainingRun.resume(tmp.resolve("split"), null).run();        // the rest on the CPU engine
        Map<String, NDArray> a = weights(tmp.resolve("whole")), b = weights(tmp.resolve("split"));
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
    }
}
