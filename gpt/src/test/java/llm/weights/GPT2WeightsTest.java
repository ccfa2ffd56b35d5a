package llm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.autograd.Grad;
import llm.formats.RestrictedUnpickler;
import llm.formats.SafeTensorsFile;
import llm.formats.SafeTensorsWriter;
import llm.generation.Generator;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loaders against PyTorch: a tiny random GPT-2 written by {@code gpt/src/test/python/make_gpt2_fixtures.py}
 * in the Hugging Face safetensors layout, as a Hugging Face {@code pytorch_model.bin} and as the book's {@code
 * .pth}, with the logits and greedy tokens PyTorch computed for it.
 */
class GPT2WeightsTest {
    static final Path FIXTURES = Path.of("src/test/resources/llm/weights");
    @TempDir
    Path tmp;

    static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(FIXTURES.resolve("expected.json"))).getAsJsonObject();
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    /** Largest |logit - PyTorch's logit|, after checking that greedy decoding gives PyTorch's tokens. */
    static double checkAgainstPyTorch(GPTModel model) throws IOException {
        JsonObject e = expected();
        int[] ids = ints(e.getAsJsonArray("ids"));
        float[] logits;
        try (var off = Grad.off()) {
            logits = model.forward(IntNDArray.of(ids, 1, ids.length)).data().toArray();
        }
        JsonArray want = e.getAsJsonArray("logits");
        assertEquals(want.size(), logits.length);
        double worst = 0;
        for (int i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - want.get(i).getAsDouble()));
        int[] prompt = ints(e.getAsJsonArray("greedy_prompt"));
        int[] generated = Generator.generateTextSimple(model, prompt, 8, model.config().contextLength());
        int[] newTokens = java.util.Arrays.copyOfRange(generated, prompt.length, generated.length);
        assertArrayEquals(ints(e.getAsJsonArray("greedy")), newTokens, "greedy tokens differ from PyTorch's");
        return worst;
    }

    @Test
    void huggingFaceSafetensorsMatchPyTorch() throws IOException {
        GPTModel model = GPT2Weights.load(FIXTURES.resolve("tiny-gpt2"), 0f);
        GPTConfig c = model.config();
        assertEquals(new GPTConfig(97, 24, 32, 4, 2, 0f, true), c);
        assertTrue(model.tiedHead());
        assertTrue(checkAgainstPyTorch(model) < 1e-4);
    }

    @Test
    void huggingFacePytorchBinMatchesPyTorch() throws IOException {
        Files.copy(FIXTURES.resolve("tiny-gpt2-hf.bin"), tmp.resolve("pytorch_model.bin"));
        Files.copy(FIXTURES.resolve("tiny-gpt2/config.json"), tmp.resolve("config.json"));
        GPTModel model = GPT2Weights.load(tmp, 0f);
        assertTrue(model.tiedHead());
        assertTrue(checkAgainstPyTorch(model) < 1e-4);
    }

    @Test
    void booksPthMatchesPyTorch() throws IOException {
        Path pth = tmp.resolve("model.pth");
        Files.copy(FIXTURES.resolve("tiny-gpt2-book.pth"), pth);
        Files.copy(FIXTURES.resolve("tiny-gpt2/config.json"), tmp.resolve("config.json"));
        // the book's torch.save(model.state_dict()) keeps the causal mask of each layer as a persistent buffer
        assertTrue(llm.formats.TorchCheckpoint.read(pth).containsKey("trf_blocks.1.att.mask"));
        GPTModel model = GPT2Weights.load(pth, 0f);
        assertTrue(model.config().qkvBias());
        assertTrue(checkAgainstPyTorch(model) < 1e-4);
    }

    @Test
    void exportWritesTheHuggingFaceFileBack() throws IOException {
        GPTModel model = GPT2Weights.load(FIXTURES.resolve("tiny-gpt2"), 0f);
        Path out = tmp.resolve("export");
        GPT2Weights.exportHuggingFace(model, out);
        // Same tensors as PyTorch wrote (so transformers / the fixture script read it as PyTorch's own file) ...
        try (SafeTensorsFile mine = SafeTensorsFile.open(out.resolve("model.safetensors"));
             SafeTensorsFile theirs = SafeTensorsFile.open(FIXTURES.resolve("tiny-gpt2/model.safetensors"))) {
            assertEquals(new java.util.TreeSet<>(theirs.names()), new java.util.TreeSet<>(mine.names()));
            for (String name : theirs.names()) assertArrayEquals(theirs.read(name).toArray(), mine.read(name).toArray(), name);
        }
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals(4, config.get("n_head").getAsInt());
        // ... and it loads back to the same logits.
        assertTrue(checkAgainstPyTorch(GPT2Weights.load(out, 0f)) < 1e-4);
    }

    @Test
    void untiedModelExportsItsHead() throws IOException {
        GPTModel model = new GPTModel(new GPTConfig(50, 8, 16, 2, 1, 0f, false), false, new SeededRandom(5));
        GPT2Weights.exportHuggingFace(model, tmp);
        GPTModel back = GPT2Weights.load(tmp, 0f);
        assertFalse(back.tiedHead());
        IntNDArray ids = IntNDArray.of(new int[] {1, 2, 3, 4}, 1, 4);
        try (var off = Grad.off()) {
            model.eval();
            assertArrayEquals(model.forward(ids).data().toArray(), back.forward(ids).data().toArray(), 1e-6f);
        }
    }

    /** Without a config.json the number of heads comes from GPT-2's widths: medium 16, large 20, XL 25. */
    @Test
    void headsOfTheLargerSizesComeFromTheirWidths() throws IOException {
        int[][] widthAndHeads = {{1024, 16}, {1280, 20}, {1600, 25}};
        for (int[] wh : widthAndHeads) {
            Path dir = tmp.resolve("w" + wh[0]);
            GPTModel small = new GPTModel(new GPTConfig(16, 4, wh[0], wh[1], 1, 0f, true), true, new SeededRandom(1));
            GPT2Weights.exportHuggingFace(small, dir);
            Files.delete(dir.resolve("config.json"));
            assertEquals(wh[1], GPT2Weights.load(dir, 0f).config().nHeads(), "width " + wh[0]);
        }
        Path odd = tmp.resolve("odd");
        GPT2Weights.exportHuggingFace(new GPTModel(new GPTConfig(16, 4, 48, 4, 1, 0f, true), true, new SeededRandom(1)), odd);
        Files.delete(odd.resolve("config.json"));
        var e = assertThrows(IllegalArgumentException.class, () -> GPT2Weights.load(odd, 0f));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void missingExtraAndMisshapenTensorsAreNamed() throws IOException {
        Map<String, NDArray> all;
        try (SafeTensorsFile f = SafeTensorsFile.open(FIXTURES.resolve("tiny-gpt2/model.safetensors"))) {
            all = f.readAll();
        }
        Files.copy(FIXTURES.resolve("tiny-gpt2/config.json"), tmp.resolve("config.json"));
        Path file = tmp.resolve("model.safetensors");

        Map<String, NDArray> missing = new LinkedHashMap<>(all);
        missing.remove("h.1.mlp.c_fc.bias");
        SafeTensorsWriter.write(file, missing, Map.of());
        var e1 = assertThrows(IllegalArgumentException.class, () -> GPT2Weights.load(file, 0f));
        assertTrue(e1.getMessage().contains("h.1.mlp.c_fc.bias"), e1.getMessage());

        Map<String, NDArray> extra = new LinkedHashMap<>(all);
        extra.put("h.0.attn.surprise", NDArray.zeros(3));
        SafeTensorsWriter.write(file, extra, Map.of());
        var e2 = assertThrows(IllegalArgumentException.class, () -> GPT2Weights.load(file, 0f));
        assertTrue(e2.getMessage().contains("h.0.attn.surprise"), e2.getMessage());

        Map<String, NDArray> misshapen = new LinkedHashMap<>(all);
        misshapen.put("h.0.mlp.c_proj.weight", NDArray.zeros(32, 128));
        SafeTensorsWriter.write(file, misshapen, Map.of());
        var e3 = assertThrows(IllegalArgumentException.class, () -> GPT2Weights.load(file, 0f));
        assertTrue(e3.getMessage().contains("h.0.mlp.c_proj.weight") && e3.getMessage().contains("(32, 128)"), e3.getMessage());
    }

    @Test
    void unpicklerRefusesArbitraryCallables() {
        // GLOBAL 'os system', BINUNICODE 'ls', TUPLE1, REDUCE, STOP: what a malicious checkpoint does.
        byte[] evil = {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', 'X', 2, 0, 0, 0, 'l', 's', (byte) 0x85, 'R', '.'};
        var e = assertThrows(IllegalArgumentException.class, () -> RestrictedUnpickler.load(evil, "evil.pth"));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
    }

    @Test
    void notAZipIsAClearError() throws IOException {
        Path f = tmp.resolve("junk.pth");
        Files.write(f, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        var e = assertThrows(IllegalArgumentException.class, () -> GPT2Weights.load(f, 0f));
        assertTrue(e.getMessage().contains("junk.pth"), e.getMessage());
    }
}
