package llm.pretraining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import llm.gpt.GPTConfig;
import llm.tensor.NDArray;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam {@code --device gpu} trains through ({@link DeviceStepEngine}, {@code Trainer.engine}), checked in CI
 * without a GPU: a stand-in device ({@link StandInDevice}) trains the same run as the CPU engine to the same weights
 * and evaluations, bit for bit, with and without dropout; and a run that switches engines at a checkpoint ends where
 * an unbroken run does (so the moments and step count come back from the device).
 */
class DeviceStepEngineTest {
    @TempDir
    Path tmp;

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
        PretrainingRun dev = PretrainingRun.start(settings(dropout, 6), tmp.resolve("dev"), false).onDevice(StandInDevice.ACCELERATOR);
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
        PretrainingRun first = PretrainingRun.start(settings(0f, 6), tmp.resolve("split"), false).onDevice(StandInDevice.ACCELERATOR);
        first.trainer().runUntil(3);                                   // the checkpoint of step 3 holds the device's moments
        PretrainingRun.resume(tmp.resolve("split"), null).run();        // the rest on the CPU engine
        Map<String, NDArray> a = weights(tmp.resolve("whole")), b = weights(tmp.resolve("split"));
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
    }
}
