package llm.pretraining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.LearningRateSchedule;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.CharTokenizer;
import llm.training.Checkpoint;
import llm.training.Trainer;
import llm.training.TrainingDivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that diverge (issue 17, item 8): a NaN loss or weights gone infinite stop the run with the step and the file,
 * the last good checkpoint stays as it was, and a checkpoint holding NaN is refused on load.
 */
class DivergenceTest {
    static final Path VERDICT = TrainerTest.VERDICT;

    @TempDir
    Path tmp;

    @Test
    void nanLossStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 3000);
        Path file = tmp.resolve(Checkpoint.FILE_NAME);
        TrainerTest.Run run = TrainerTest.charRun(text, 2, Trainer.Options.steps(10).checkpoint(file, 1));
        run.trainer().listener(new Trainer.Listener() {
            @Override
            public void onCheckpoint(Path f, long step) {
                if (step == 3) run.model().namedParameters().get("final_norm.scale").data().fill(Float.NaN);
            }
        });
        var e = assertThrows(TrainingDivergedException.class, () -> run.trainer().run());
        assertEquals(4, e.step());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals("3", Checkpoint.metadata(file).get("step"));
        GPTModel restored = GPTCheckpoints.loadModel(tmp);
        for (float v : restored.namedParameters().get("final_norm.scale").data().toArray()) assertTrue(Float.isFinite(v));
    }

    /** Weights that went infinite are never written over the last good checkpoint, and such a file is refused on load. */
    @Test
    void nonFiniteWeightsAreNeitherSavedNorLoaded() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 3000);
        Path file = tmp.resolve(Checkpoint.FILE_NAME);
        TrainerTest.Run run = TrainerTest.charRun(text, 4, Trainer.Options.steps(2).checkpoint(file, 1));
        run.trainer().runUntil(1);
        byte[] good = Files.readAllBytes(file);
        run.model().namedParameters().get("trf_blocks.0.att.W_key.weight").data().storage()[3] = Float.POSITIVE_INFINITY;
        var e = assertThrows(TrainingDivergedException.class, () -> run.trainer().saveCheckpoint());
        assertTrue(e.getMessage().contains("trf_blocks.0.att.W_key.weight") && e.getMessage().contains("keeps the last good state"), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(file), "the last good checkpoint is untouched");

        java.util.Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> meta;
        try (var f = llm.formats.SafeTensorsFile.open(file)) {
            for (String name : f.names()) tensors.put(name, f.read(name));
            meta = new java.util.LinkedHashMap<>(f.metadata());
        }
        tensors.get("model.final_norm.scale").storage()[0] = Float.NaN;
        Path bad = tmp.resolve("nan.safetensors");
        llm.formats.SafeTensorsWriter.write(bad, tensors, meta);
        var e2 = assertThrows(IllegalArgumentException.class, () -> GPTCheckpoints.loadModel(bad));
        assertTrue(e2.getMessage().contains("model.final_norm.scale") && e2.getMessage().contains("NaN"), e2.getMessage());
    }
}
