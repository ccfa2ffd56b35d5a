package llm.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.autograd.Grad;
import llm.formats.SafeTensorsFile;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.weights.GPT2Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PEFT export holds, for every GPT-2 module, the ΔW our adapters add. With {@code -Dllm.peftCheckDir=DIR} it also
 * writes the base model (Hugging Face layout), the adapters and our logits there, for {@code
 * finetuning/src/test/python/check_peft_export.py} to load into PyTorch with PEFT and compare.
 */
class PeftExportTest {
    @TempDir
    Path tmp;

    @Test
    void exportedAdaptersGiveOurWeightChanges() throws IOException {
        GPTConfig cfg = new GPTConfig(97, 16, 32, 4, 2, 0f, true);
        GPTModel model = new GPTModel(cfg, true, new SeededRandom(11));
        model.eval();
        Path dir = System.getProperty("llm.peftCheckDir") != null ? Path.of(System.getProperty("llm.peftCheckDir")) : tmp;
        GPT2Weights.exportHuggingFace(model, dir.resolve("base"));
        model.requiresGrad(false);
        SeededRandom rng = new SeededRandom(12);
        for (var e : LinearWithLoRA.linearLayers(model).entrySet()) {
            if (!e.getKey().startsWith("trf_blocks.")) continue;
            LoRALayer lora = LinearWithLoRA.attach(e.getValue(), 4, 8, rng);
            lora.b.setData(NDArray.randn(rng, lora.b.shape()).mul(0.2f));
        }
        PeftExport.exportGpt2(model, 4, 8, dir.resolve("peft"));

        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("peft/adapter_config.json"))).getAsJsonObject();
        assertEquals("LORA", config.get("peft_type").getAsString());
        assertEquals(12, config.getAsJsonObject("rank_pattern").get("c_attn").getAsInt());
        var layers = LinearWithLoRA.linearLayers(model);
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("peft/adapter_model.safetensors"))) {
            assertEquals(2 * 4 * 2, f.names().size(), "A and B of four modules in each of two blocks");
            for (int block = 0; block < 2; block++) {
                String h = "base_model.model.transformer.h." + block + ".";
                // c_attn: PEFT's ΔW (3C, C) = (3α / 3r) · B · A must be our q, k and v ΔW stacked
                NDArray delta = f.read(h + "attn.c_attn.lora_B.weight").matmul(f.read(h + "attn.c_attn.lora_A.weight")).mul(8f / 4);
                float[] ours = new float[0];
                for (String p : new String[] {"W_query", "W_key", "W_value"}) {
                    float[] d = ((LoRALayer) layers.get("trf_blocks." + block + ".att." + p).adapter()).deltaWeight().toArray();
                    ours = concat(ours, d);
                }
                assertClose(ours, delta.toArray(), "c_attn of block " + block);
                Linear fc = layers.get("trf_blocks." + block + ".ff.layers.0");
                NDArray fcDelta = f.read(h + "mlp.c_fc.lora_B.weight").matmul(f.read(h + "mlp.c_fc.lora_A.weight")).mul(2f);
                assertClose(((LoRALayer) fc.adapter()).deltaWeight().toArray(), fcDelta.toArray(), "c_fc of block " + block);
            }
        }
        int[] ids = {5, 17, 42, 3, 88, 61, 7, 29};
        try (var off = Grad.off()) {
            float[] logits = model.forward(IntNDArray.of(ids, 1, ids.length)).data().toArray();
            Files.writeString(dir.resolve("expected.json"), "{\"ids\": " + Arrays.toString(ids) + ", \"logits\": " + Arrays.toString(logits) + "}");
        }
        assertTrue(Files.size(dir.resolve("base/model.safetensors")) > 0);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5f * (1 + Math.abs(want[i])), what + " at " + i);
    }
}
