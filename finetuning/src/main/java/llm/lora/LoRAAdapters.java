package llm.lora;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import llm.autograd.Tensor;
import llm.formats.SafeTensorsFile;
import llm.formats.SafeTensorsWriter;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tensor.StateDictCheck;
import llm.training.Checkpoint;

/**
 * Only what LoRA fine-tuning changed, in one small safetensors file (Book Appendix E): every adapter's {@code A}
 * and {@code B} ({@code trf_blocks.0.att.W_query.lora.A}, ...) and the new classifier head ({@code out_head.*},
 * which replaced the language-model head), with the rank, alpha and adapted layers in the metadata. Loaded onto
 * the same base model it rebuilds the fine-tuned one; {@link LinearWithLoRA#mergeAll} then folds the adapters in.
 */
public final class LoRAAdapters {
    private static final Gson GSON = new Gson();
    private static final String HEAD = "out_head.";

    private LoRAAdapters() {}

    /** The tensors the file holds: the adapters' and the head's. */
    static Map<String, Tensor> adapterTensors(GPTModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : model.namedParameters().entrySet()) {
            if (e.getKey().contains("." + LinearWithLoRA.NAME + ".") || e.getKey().startsWith(HEAD)) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Writes the adapters of {@code model} (attached with {@code rank} and {@code alpha} to {@code targets}) atomically. */
    public static void save(Path file, GPTModel model, int rank, double alpha, List<String> targets) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        adapterTensors(model).forEach((k, v) -> tensors.put(k, v.data()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "llm-java-lora/1");
        meta.put("rank", Integer.toString(rank));
        meta.put("alpha", Double.toString(alpha));
        meta.put("targets", GSON.toJson(targets));
        meta.put("base_config", GSON.toJson(model.config()));
        SafeTensorsWriter.write(file, tensors, meta);
    }

    /**
     * Puts the adapters of {@code file} onto {@code base}: a head of the saved size, LoRA on every saved target,
     * and the saved values, after checking names and shapes. Returns the adapted layers' names.
     */
    public static List<String> load(Path file, GPTModel base) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!"llm-java-lora/1".equals(meta.get("format"))) throw new IllegalArgumentException(file + " is not a LoRA adapter file of this project");
            if (!GSON.toJson(base.config()).equals(meta.get("base_config"))) {
                throw new IllegalArgumentException(file + " was trained on a base " + meta.get("base_config") + ", not " + GSON.toJson(base.config()));
            }
            int rank = Checkpoint.intMetadata(meta, "rank", file);
            double alpha;
            try {
                alpha = Double.parseDouble(String.valueOf(meta.get("alpha")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": metadata 'alpha' is '" + meta.get("alpha") + "', not a number");
            }
            List<String> targets = GSON.fromJson(meta.get("targets"), new TypeToken<List<String>>() {}.getType());
            if (f.contains(HEAD + "weight")) {
                int[] shape = f.entry(HEAD + "weight").shape();
                base.replaceOutputHead(new Linear(shape[1], shape[0], f.contains(HEAD + "bias"), new SeededRandom(0)));
            }
            Map<String, Linear> layers = LinearWithLoRA.linearLayers(base);
            for (String t : targets) {
                Linear l = layers.get(t);
                if (l == null) throw new IllegalArgumentException(file + ": the base has no linear layer '" + t + "'");
                LinearWithLoRA.attach(l, rank, alpha, new SeededRandom(0));
            }
            Map<String, NDArray> saved = new LinkedHashMap<>();
            for (String name : f.names()) saved.put(name, f.read(name));
            Map<String, Tensor> mine = adapterTensors(base);
            StateDictCheck.check("LoRA adapters " + file, "", mine, Tensor::shape, saved, NDArray::shape);
            for (var e : mine.entrySet()) e.getValue().setData(saved.get(e.getKey()).contiguous());
            return new ArrayList<>(targets);
        }
    }
}
