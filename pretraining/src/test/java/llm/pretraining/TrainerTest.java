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

class TrainerTest {
    static final Path VERDICT = Path.of("../data/the-verdict.txt");

    @TempDir
    Path tmp;

    /** Everything a run needs, built the same way for the uninterrupted and the resumed run. */
    record Run(GPTModel model, Trainer<Batch> trainer, List<Double> losses) {}

    static Run charRun(String text, long modelSeed, Trainer.Options options) {
        CharTokenizer tok = CharTokenizer.fromText(text);
        int[] ids = tok.encode(text);
        int split = (int) (0.9 * ids.length);
        GPTConfig config = new GPTConfig(tok.vocabSize(), 16, 32, 4, 2, 0.1f, false);
        GPTModel model = new GPTModel(config, false, new SeededRandom(modelSeed));
        // one generator for dropout and shuffling, as the book's single global torch generator
        SeededRandom shuffle = model.random();
        GPTDatasetV1 train = new GPTDatasetV1(Arrays.copyOf(ids, split), 16, 16);
        GPTDatasetV1 val = new GPTDatasetV1(Arrays.copyOfRange(ids, split, ids.length), 16, 16);
        var data = new EpochBatches<>(new DataLoader<>(train, 4, true, true, shuffle), shuffle);
        AdamW opt = new AdamW(model.namedParameters(), 1e-3, AdamW.Options.withWeightDecay(0.1));
        Trainer<Batch> trainer = Trainer.builder(model, opt, data, LanguageModelLoss.of(model))
                .schedule(LearningRateSchedule.warmupCosine(1e-3, 1e-4, Math.min(2, options.totalSteps()), options.totalSteps()))
                .options(options).evaluateOn(new DataLoader<>(train, 4, false, false, null), new DataLoader<>(val, 4, false, false, null))
                .random(model.random()).build();
        GPTCheckpoints.describe(model, trainer.extraMetadata());
        List<Double> losses = new ArrayList<>();
        trainer.listener(new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepReport r) {
                losses.add(r.loss());
            }
        });
        return new Run(model, trainer, losses);
    }

    @Test
    void resumingContinuesBitExactly() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 6000);
        Path file = tmp.resolve(Checkpoint.FILE_NAME);
        // accumulation, clipping, dropout, shuffling and warmup all on: each has state a resume must restore
        Trainer.Options options = Trainer.Options.steps(10).accumulate(2).clip(1.0).evalEvery(3).evalBatches(2).checkpoint(file, 4);

        Run straight = charRun(text, 1, Trainer.Options.steps(10).accumulate(2).clip(1.0).evalEvery(3).evalBatches(2));
        straight.trainer().run();

        Run first = charRun(text, 1, options);
        first.trainer().runUntil(4);                       // checkpoint written at step 4
        Run resumed = charRun(text, 777, options);         // another initialisation, overwritten by the restore
        Checkpoint.restore(file, resumed.trainer());
        assertEquals(4, resumed.trainer().stepsDone());
        resumed.trainer().run();

        List<Double> joined = new ArrayList<>(first.losses());
        joined.addAll(resumed.losses());
        assertEquals(straight.losses(), joined, "the resumed run sees the same losses");
        assertEquals(straight.trainer().history(), resumed.trainer().history());
        var a = straight.model().stateDict();
        var b = resumed.model().stateDict();
        for (String name : a.keySet()) assertArrayEquals(a.get(name).toArray(), b.get(name).toArray(), name);
        assertEquals(straight.trainer().tokensSeen(), resumed.trainer().tokensSeen());
    }

    /**
     * The same run three times in one JVM gives the same weights: kernels whose results depend on whether the JIT
     * has compiled them yet (the Vector API's own exp and lane reductions did) would make the later runs differ.
     */
    @Test
    void sameRunRepeatsExactlyInOneJvm() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 6000);
        List<float[]> weights = new ArrayList<>();
        List<List<Trainer.Evaluation>> histories = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Run a = charRun(text, 1, Trainer.Options.steps(10).accumulate(2).clip(1.0).evalEvery(3).evalBatches(2));
            a.trainer().run();
            weights.add(a.model().namedParameters().get("trf_blocks.1.ff.layers.0.weight").data().toArray());
            histories.add(a.trainer().history());
        }
        for (int i = 1; i < 3; i++) {
            assertArrayEquals(weights.get(0), weights.get(i), "run " + (i + 1));
            assertEquals(histories.get(0), histories.get(i), "run " + (i + 1));
        }
    }

    @Test
    void damagedCheckpointsAreClearErrors() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 3000);
        Path file = tmp.resolve(Checkpoint.FILE_NAME);
        Run run = charRun(text, 3, Trainer.Options.steps(1).checkpoint(file, 1));
        run.trainer().run();
        Path cut = tmp.resolve("cut.safetensors");
        Files.copy(file, cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(cut) - 100);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> GPTCheckpoints.loadModel(cut));
        assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
        // a model of another size cannot take this checkpoint
        Run other = charRun(text + "\u00e9", 3, Trainer.Options.steps(1).checkpoint(file, 1)); // one more character
        var e2 = assertThrows(IllegalArgumentException.class, () -> Checkpoint.restore(file, other.trainer()));
        assertTrue(e2.getMessage().contains("is for a model"), e2.getMessage());
    }

    /** A small file whose configuration asks for a huge model is refused before the model is built. */
    @Test
    void aConfigurationLargerThanTheFileIsRefusedBeforeAllocating() throws IOException {
        String text = Files.readString(VERDICT).substring(0, 3000);
        Path file = tmp.resolve(Checkpoint.FILE_NAME);
        charRun(text, 3, Trainer.Options.steps(1).checkpoint(file, 1)).trainer().run();
        java.util.Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> meta;
        try (var f = llm.formats.SafeTensorsFile.open(file)) {
            for (String name : f.names()) tensors.put(name, f.read(name));
            meta = new java.util.LinkedHashMap<>(f.metadata());
        }
        meta.put("config", new com.google.gson.Gson().toJson(new GPTConfig(50257, 1024, 8192, 64, 100, 0f, false)));
        Path hostile = tmp.resolve("hostile.safetensors");
        llm.formats.SafeTensorsWriter.write(hostile, tensors, meta);
        var e = assertThrows(IllegalArgumentException.class, () -> GPTCheckpoints.loadModel(hostile));
        assertTrue(e.getMessage().contains("hostile.safetensors") && e.getMessage().contains("the file holds"), e.getMessage());
    }

    /**
     * The book's chapter 5 run, scaled down to run in seconds: the-verdict with the GPT-2 tokenizer, 90/10 split
     * by characters, AdamW (weight decay 0.1), dropout 0.1, evaluation every 5 steps. The loss must fall far
     * below its start (about ln 50257 = 10.8).
     */
    @Test
    void smallChapter5RunLearnsTheVerdict() throws IOException {
        String text = Files.readString(VERDICT);
        int split = (int) (0.9 * text.length());
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        int[] train = tok.encode(text.substring(0, split)), val = tok.encode(text.substring(split));
        GPTConfig config = new GPTConfig(50257, 32, 64, 2, 2, 0.1f, false);
        GPTModel model = new GPTModel(config, false, new SeededRandom(123));
        SeededRandom shuffle = new SeededRandom(123);
        GPTDatasetV1 trainSet = new GPTDatasetV1(train, 32, 32), valSet = new GPTDatasetV1(val, 32, 32);
        var data = new EpochBatches<>(new DataLoader<>(trainSet, 8, true, true, shuffle), shuffle);
        AdamW opt = new AdamW(model.namedParameters(), 5e-3, AdamW.Options.withWeightDecay(0.1));
        Trainer<Batch> trainer = Trainer.builder(model, opt, data, LanguageModelLoss.of(model))
                .options(Trainer.Options.steps(30).evalEvery(5).evalBatches(4))
                .evaluateOn(new DataLoader<>(trainSet, 8, false, false, null), new DataLoader<>(valSet, 8, false, false, null))
                .random(model.random()).build();
        trainer.run();
        List<Trainer.Evaluation> h = trainer.history();
        double start = h.get(0).trainLoss(), end = h.get(h.size() - 1).trainLoss();
        assertTrue(h.get(0).step() == 1 && h.get(1).step() == 6, "evaluates after steps 1, 6, 11, ... as the book");
        assertTrue(start > 8.5, "starts near ln(50257): " + start);
        assertTrue(end < 7.0, "train loss falls from " + start + " to " + end);
        assertTrue(h.get(h.size() - 1).valLoss() < start, "validation loss falls too");
        assertEquals(30L * 8 * 32, trainer.tokensSeen());
    }

    @Test
    void perplexityIsExpOfLoss() {
        assertEquals(Math.exp(2.0), LanguageModelLoss.perplexity(2.0), 1e-12);
        assertEquals(NDArray.scalar(1).item(), 1f);
    }
}
