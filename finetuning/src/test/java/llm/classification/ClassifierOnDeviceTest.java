package llm.classification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import llm.data.Batch;
import llm.formats.SafeTensorsFile;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.pretraining.LanguageModelLoss;
import llm.pretraining.PretrainedModel;
import llm.pretraining.StandInDevice;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classification fine-tuning through a device step ({@code finetune-classifier --device gpu}), checked in CI without
 * a GPU: the labels as per-token targets give the book's loss, and a whole run on a stand-in device (autograd on its
 * own copy of the model, learning from per-token targets as the device step does) ends with the CPU run's losses,
 * accuracies and weights.
 */
class ClassifierOnDeviceTest {
    @TempDir
    Path tmp;

    @Test
    void labelsAsTheLastTokensTargetsGiveTheBooksLoss() {
        GPTModel model = new GPTModel(new GPTConfig(61, 16, 16, 2, 2, 0f, true), false, new SeededRandom(3));
        model.replaceOutputHead(new Linear(16, 2, true, new SeededRandom(4)));
        model.eval();
        int[] ids = new int[3 * 7];
        SeededRandom rng = new SeededRandom(5);
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(61);
        Batch batch = new Batch(IntNDArray.of(ids, 3, 7), IntNDArray.of(new int[] {1, 0, 1}, 3));
        Batch perToken = ClassifierLoss.tokenTargets(batch);
        assertEquals(List.of(-100, -100, -100, -100, -100, -100, 1), java.util.Arrays.stream(perToken.targets().toArray()).limit(7).boxed().toList());
        assertEquals(ClassifierLoss.calcLossBatch(model, batch).item(), LanguageModelLoss.of(model).loss(perToken).item(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> ClassifierLoss.tokenTargets(new Batch(batch.inputs(), batch.inputs())));
    }

    /** The book's choice of what trains (the last block, the final LayerNorm, the head), with dropout, two epochs. */
    @Test
    void aRunOnTheDeviceEndsWhereTheCpuRunEnds() throws IOException {
        Path data = SpamSplits.firstMessages(tmp.resolve("spam"), 24);
        GPTConfig cfg = new GPTConfig(GPTConfig.GPT2_SMALL.vocabSize(), 64, 16, 2, 2, 0.1f, true);
        var settings = new ClassifierSettings(2, 4, 1e-2, 0.1, 0, 1, 32, Trainable.LAST_BLOCK, 0, 16, 123);
        ClassifierRun.Result cpu = new ClassifierRun(PretrainedModel.randomInit(cfg, 7), data, settings).run(tmp.resolve("cpu"), new TrainClassifierSimple.Listener() {});
        List<StandInDevice> devices = new java.util.ArrayList<>();
        ClassifierRun onDevice = new ClassifierRun(PretrainedModel.randomInit(cfg, 7), data, settings).onDevice(StandInDevice.accelerator(devices::add));
        ClassifierRun.Result dev = onDevice.run(tmp.resolve("dev"), new TrainClassifierSimple.Listener() {});
        assertEquals(1, devices.size());
        assertEquals(2L * onDevice.batchesPerEpoch(), devices.get(0).steps(), "every step taken on the device");
        assertEquals(cpu.history().trainAccs(), dev.history().trainAccs(), "accuracies after each epoch");
        assertEquals(List.of(cpu.trainAccuracy(), cpu.valAccuracy(), cpu.testAccuracy()), List.of(dev.trainAccuracy(), dev.valAccuracy(), dev.testAccuracy()));
        for (int i = 0; i < cpu.history().trainLosses().size(); i++) {
            assertEquals(cpu.history().trainLosses().get(i), dev.history().trainLosses().get(i), 1e-5, "training loss at evaluation " + i);
        }
        Map<String, NDArray> a = weights(tmp.resolve("cpu")), b = weights(tmp.resolve("dev"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).toArray(), y = b.get(k).toArray();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5f * (1 + Math.abs(x[i])), k + "[" + i + "]");
        }
    }

    static Map<String, NDArray> weights(Path dir) throws IOException {
        Map<String, NDArray> out = new java.util.TreeMap<>();
        try (var f = SafeTensorsFile.open(dir.resolve(Checkpoint.FILE_NAME))) {
            for (String name : f.names()) out.put(name, f.read(name));
        }
        return out;
    }
}
