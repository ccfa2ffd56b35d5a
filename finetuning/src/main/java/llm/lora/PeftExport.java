package llm.lora;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import llm.formats.AtomicFile;
import llm.formats.SafeTensorsWriter;
import llm.gpt.GPTModel;
import llm.nn.Layer;
import llm.nn.Linear;
import llm.tensor.NDArray;

/**
 * LoRA adapters of a GPT-2 in the layout the PEFT library reads ({@code adapter_model.safetensors} and {@code
 * adapter_config.json}), so adapters trained here can be loaded onto Hugging Face's GPT-2 in Python with {@code
 * PeftModel.from_pretrained(model, dir)}.
 *
 * <p>Hugging Face's GPT-2 has one fused {@code attn.c_attn} for the query, key and value projections, which are
 * three layers here. PEFT stores {@code lora_A.weight (r, in)} and {@code lora_B.weight (out, r)} with {@code ΔW =
 * (α / r) · B · A}; ours are {@code A (in, r)} and {@code B (r, out)}, so PEFT's are their transposes. Three rank-r
 * adapters on q, k and v are exactly one rank-3r adapter on {@code c_attn}: A stacked, B block-diagonal. The
 * config says so with {@code rank_pattern} (3r) and {@code alpha_pattern} (3α, so that the scaling stays α / r).
 * {@code attn.c_proj}, {@code mlp.c_fc} and {@code mlp.c_proj} map one to one.
 *
 * <p>A classifier head is not exported: the book's head has a bias and reads the last token, padding included,
 * while Hugging Face's {@code GPT2ForSequenceClassification.score} has none and reads the last non-padding token.
 * The head stays in this project's adapter file ({@link LoRAAdapters}).
 */
public final class PeftExport {
    private static final String PREFIX = "base_model.model.transformer.h.";

    private PeftExport() {}

    /** Writes the adapters on {@code model}'s transformer blocks to {@code dir}; every block linear layer must carry one of {@code rank}. */
    public static void exportGpt2(GPTModel model, int rank, double alpha, Path dir) throws IOException {
        Map<String, Linear> layers = LinearWithLoRA.linearLayers(model);
        Map<String, NDArray> out = new LinkedHashMap<>();
        int c = model.config().embDim();
        for (int i = 0; i < model.config().nLayers(); i++) {
            String b = "trf_blocks." + i + ".", h = PREFIX + i + ".";
            LoRALayer q = lora(layers, b + "att.W_query", rank), k = lora(layers, b + "att.W_key", rank), v = lora(layers, b + "att.W_value", rank);
            // c_attn: A (3r, C) = [Aqᵀ; Akᵀ; Avᵀ], B (3C, 3r) = diag(Bqᵀ, Bkᵀ, Bvᵀ)
            float[] a = new float[3 * rank * c], bd = new float[3 * c * 3 * rank];
            LoRALayer[] qkv = {q, k, v};
            for (int j = 0; j < 3; j++) {
                float[] at = qkv[j].a.data().transpose(0, 1).contiguous().toArray();        // (r, C)
                System.arraycopy(at, 0, a, j * rank * c, rank * c);
                float[] bt = qkv[j].b.data().transpose(0, 1).contiguous().toArray();        // (C, r)
                for (int row = 0; row < c; row++) System.arraycopy(bt, row * rank, bd, (j * c + row) * 3 * rank + j * rank, rank);
            }
            out.put(h + "attn.c_attn.lora_A.weight", NDArray.of(a, 3 * rank, c));
            out.put(h + "attn.c_attn.lora_B.weight", NDArray.of(bd, 3 * c, 3 * rank));
            put(out, h + "attn.c_proj", lora(layers, b + "att.out_proj", rank));
            put(out, h + "mlp.c_fc", lora(layers, b + "ff.layers.0", rank));
            put(out, h + "mlp.c_proj", lora(layers, b + "ff.layers.2", rank));
        }
        Files.createDirectories(dir);
        SafeTensorsWriter.write(dir.resolve("adapter_model.safetensors"), out, Map.of("format", "pt"));

        JsonObject config = new JsonObject();
        config.addProperty("peft_type", "LORA");
        config.addProperty("base_model_name_or_path", "openai-community/gpt2");
        config.addProperty("r", rank);
        config.addProperty("lora_alpha", alpha);
        config.addProperty("lora_dropout", 0.0);
        config.addProperty("fan_in_fan_out", true);                   // GPT-2's Conv1D stores weights (in, out)
        config.addProperty("bias", "none");
        config.addProperty("inference_mode", true);
        JsonArray targets = new JsonArray();
        for (String t : List.of("c_attn", "c_proj", "c_fc")) targets.add(t);
        config.add("target_modules", targets);
        JsonObject rankPattern = new JsonObject(), alphaPattern = new JsonObject();
        rankPattern.addProperty("c_attn", 3 * rank);
        alphaPattern.addProperty("c_attn", 3 * alpha);
        config.add("rank_pattern", rankPattern);
        config.add("alpha_pattern", alphaPattern);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(config);
        AtomicFile.write(dir.resolve("adapter_config.json"), json.getBytes(StandardCharsets.UTF_8));
    }

    private static LoRALayer lora(Map<String, Linear> layers, String name, int rank) {
        Linear l = layers.get(name);
        Layer adapter = l == null ? null : l.adapter();
        if (!(adapter instanceof LoRALayer lora)) throw new IllegalArgumentException("PEFT export: layer '" + name + "' carries no LoRA adapter");
        if (lora.rank() != rank) throw new IllegalArgumentException("PEFT export: layer '" + name + "' has rank " + lora.rank() + ", not " + rank);
        return lora;
    }

    /** PEFT's {@code lora_A.weight (r, in)} and {@code lora_B.weight (out, r)}: the transposes of ours. */
    private static void put(Map<String, NDArray> out, String prefix, LoRALayer lora) {
        out.put(prefix + ".lora_A.weight", lora.a.data().transpose(0, 1).contiguous());
        out.put(prefix + ".lora_B.weight", lora.b.data().transpose(0, 1).contiguous());
    }
}
