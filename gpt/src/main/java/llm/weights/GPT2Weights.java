package llm.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.autograd.Tensor;
import llm.formats.AtomicFile;
import llm.formats.SafeTensorsFile;
import llm.formats.SafeTensorsWriter;
import llm.formats.TensorSource;
import llm.formats.TorchCheckpoint;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tensor.Shape;

/**
 * Pretrained GPT-2 weights into this project's {@link GPTModel} and back (Book §5.5, "Loading pretrained
 * weights from OpenAI", and its Hugging Face variant in the book's bonus material).
 *
 * <p>Two layouts are read, from a {@code .safetensors} file (memory-mapped) or a PyTorch {@code .pth}/{@code
 * .bin} (through {@link TorchCheckpoint}'s restricted unpickler):
 * <ul>
 * <li>Hugging Face's {@code openai-community/gpt2} names, with or without the {@code transformer.} prefix:
 * {@code wte}, {@code wpe}, {@code h.N.ln_1}, {@code h.N.attn.c_attn} (Q, K and V side by side), {@code
 * h.N.attn.c_proj}, {@code h.N.ln_2}, {@code h.N.mlp.c_fc}, {@code h.N.mlp.c_proj}, {@code ln_f}. GPT-2 was
 * written with "Conv1D" layers that store weights as (in, out), so every matrix is transposed into the (out, in)
 * of {@code torch.nn.Linear}; {@code c_attn} is split in three; the biases of Q, K and V mean {@code qkv_bias}
 * is true; the output head is the token embedding (tied) unless an {@code lm_head.weight} that differs is present.
 * The attention-mask buffers of old checkpoints ({@code h.N.attn.bias}, {@code masked_bias}) are skipped.
 * <li>The book's own names ({@code tok_emb.weight}, {@code trf_blocks.N.att.W_query.weight}, ...), as written by
 * {@code torch.save(model.state_dict(), ...)} in chapter 5.
 * </ul>
 * The sizes come from the tensors' shapes; the number of heads, which no shape shows, from a {@code
 * config.json} beside the file ({@code n_head}) or else from GPT-2's widths (768 → 12, 1024 → 16, 1280 → 20,
 * 1600 → 25).
 *
 * <p>Tensors are copied into the model one at a time, so loading needs the model's memory plus one tensor,
 * not twice the model. Every tensor is checked: one missing, one left over, or one whose shape does not fit is
 * an error naming it.
 */
public final class GPT2Weights {
    private static final Pattern HF_LAYER = Pattern.compile("h\\.(\\d+)\\..*");
    private static final Pattern BOOK_LAYER = Pattern.compile("trf_blocks\\.(\\d+)\\..*");

    private GPT2Weights() {}

    /**
     * Loads a model from {@code path}: a {@code .safetensors} file, a PyTorch {@code .pth}/{@code .pt}/{@code
     * .bin} file, or a directory holding {@code model.safetensors} or {@code pytorch_model.bin}. Dropout is
     * {@code dropRate} (0 for inference); the model is returned in evaluation mode.
     */
    public static GPTModel load(Path path, float dropRate) throws IOException {
        Path file = resolve(path);
        Integer heads = headsFromConfig(file.toAbsolutePath().getParent().resolve("config.json"));
        if (isSafeTensors(file)) {
            try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
                return fromTensors(st, heads, dropRate);
            }
        }
        return fromTensors(TensorSource.of(TorchCheckpoint.read(file), "PyTorch checkpoint " + file), heads, dropRate);
    }

    /** The weight file inside a directory, or the file itself. */
    static Path resolve(Path path) {
        if (!Files.exists(path)) throw new IllegalArgumentException("no such file or directory: " + path);
        if (!Files.isDirectory(path)) return path;
        for (String name : List.of("model.safetensors", "pytorch_model.bin")) {
            if (Files.isRegularFile(path.resolve(name))) return path.resolve(name);
        }
        throw new IllegalArgumentException("directory " + path + " has neither model.safetensors nor pytorch_model.bin");
    }

    private static boolean isSafeTensors(Path file) throws IOException {
        if (file.toString().endsWith(".safetensors")) return true;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return !(head.length == 2 && head[0] == 'P' && head[1] == 'K'); // a zip starts with PK
        }
    }

    private static Integer headsFromConfig(Path config) throws IOException {
        if (!Files.isRegularFile(config)) return null;
        JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        for (String key : List.of("n_head", "n_heads", "num_attention_heads")) if (o.has(key)) return o.get(key).getAsInt();
        return null;
    }

    /** Builds the model from named tensors in either layout; {@code heads} may be null (see the class comment). */
    public static GPTModel fromTensors(TensorSource source, Integer heads, float dropRate) {
        List<String> names = source.names();
        String prefix = names.contains("transformer.wte.weight") ? "transformer." : "";
        if (names.contains(prefix + "wte.weight")) return fromHuggingFace(source, prefix, heads, dropRate);
        if (names.contains("tok_emb.weight")) return fromBook(source, heads, dropRate);
        throw new IllegalArgumentException(source.describe() + " has neither Hugging Face GPT-2 names (wte.weight) nor the book's (tok_emb.weight)");
    }

    private static GPTModel fromHuggingFace(TensorSource src, String p, Integer heads, float dropRate) {
        NDArray wte = src.read(p + "wte.weight"), wpe = src.read(p + "wpe.weight");
        int vocab = wte.dim(0), width = wte.dim(1), context = wpe.dim(0);
        int layers = countLayers(src.names(), p, HF_LAYER, src);
        boolean tied = true;
        if (src.names().contains("lm_head.weight")) {
            NDArray head = src.read("lm_head.weight");
            tied = java.util.Arrays.equals(head.shape(), wte.shape()) && java.util.Arrays.equals(head.toArray(), wte.toArray());
        }
        GPTConfig config = new GPTConfig(vocab, context, width, heads(heads, width, src), layers, dropRate, true);
        GPTModel model = new GPTModel(config, tied, new SeededRandom(0));
        Map<String, Tensor> params = model.namedParameters();
        Set<String> used = new HashSet<>();
        Copier copy = new Copier(src, params, used);
        copy.plain(p + "wte.weight", "tok_emb.weight");
        copy.plain(p + "wpe.weight", "pos_emb.weight");
        for (int i = 0; i < layers; i++) {
            String h = p + "h." + i + ".", b = "trf_blocks." + i + ".";
            copy.plain(h + "ln_1.weight", b + "norm1.scale");
            copy.plain(h + "ln_1.bias", b + "norm1.shift");
            NDArray qkv = copy.take(h + "attn.c_attn.weight", width, 3 * width);      // (C, 3C), Conv1D
            NDArray qkvBias = copy.take(h + "attn.c_attn.bias", 3 * width);
            String[] parts = {"W_query", "W_key", "W_value"};
            for (int j = 0; j < 3; j++) {
                copy.into(b + "att." + parts[j] + ".weight", qkv.narrow(1, j * width, width).transpose(0, 1), h + "attn.c_attn.weight");
                copy.into(b + "att." + parts[j] + ".bias", qkvBias.narrow(0, j * width, width), h + "attn.c_attn.bias");
            }
            copy.transposed(h + "attn.c_proj.weight", b + "att.out_proj.weight");
            copy.plain(h + "attn.c_proj.bias", b + "att.out_proj.bias");
            copy.plain(h + "ln_2.weight", b + "norm2.scale");
            copy.plain(h + "ln_2.bias", b + "norm2.shift");
            copy.transposed(h + "mlp.c_fc.weight", b + "ff.layers.0.weight");
            copy.plain(h + "mlp.c_fc.bias", b + "ff.layers.0.bias");
            copy.transposed(h + "mlp.c_proj.weight", b + "ff.layers.2.weight");
            copy.plain(h + "mlp.c_proj.bias", b + "ff.layers.2.bias");
            used.add(h + "attn.bias");
            used.add(h + "attn.masked_bias");
        }
        copy.plain(p + "ln_f.weight", "final_norm.scale");
        copy.plain(p + "ln_f.bias", "final_norm.shift");
        if (!tied) copy.plain("lm_head.weight", "out_head.weight");
        used.add("lm_head.weight");
        copy.finish(tied ? Set.of("out_head.weight") : Set.of());
        model.eval();
        return model;
    }

    private static GPTModel fromBook(TensorSource src, Integer heads, float dropRate) {
        NDArray tok = src.read("tok_emb.weight"), pos = src.read("pos_emb.weight");
        int vocab = tok.dim(0), width = tok.dim(1), context = pos.dim(0);
        int layers = countLayers(src.names(), "", BOOK_LAYER, src);
        boolean qkvBias = src.names().contains("trf_blocks.0.att.W_query.bias");
        boolean tied = !src.names().contains("out_head.weight")
                || java.util.Arrays.equals(src.read("out_head.weight").toArray(), tok.toArray());
        GPTConfig config = new GPTConfig(vocab, context, width, heads(heads, width, src), layers, dropRate, qkvBias);
        GPTModel model = new GPTModel(config, tied, new SeededRandom(0));
        Set<String> used = new HashSet<>();
        Copier copy = new Copier(src, model.namedParameters(), used);
        for (String name : model.namedParameters().keySet()) {
            if (tied && name.equals("out_head.weight")) continue;
            copy.plain(name, name);
        }
        for (int i = 0; i < layers; i++) {
            // The book registers its causal mask as a persistent buffer, so its torch.save files hold one per
            // layer: a (context, context) matrix the model rebuilds itself. Checked for shape, then not used.
            String mask = "trf_blocks." + i + ".att.mask";
            if (src.names().contains(mask)) copy.take(mask, context, context);
        }
        used.add("out_head.weight");
        copy.finish(tied ? Set.of("out_head.weight") : Set.of());
        model.eval();
        return model;
    }

    private static int countLayers(List<String> names, String prefix, Pattern layer, TensorSource src) {
        int max = -1;
        for (String n : names) {
            if (!n.startsWith(prefix)) continue;
            Matcher m = layer.matcher(n.substring(prefix.length()));
            if (m.matches()) max = Math.max(max, Integer.parseInt(m.group(1)));
        }
        if (max < 0) throw new IllegalArgumentException(src.describe() + " has no transformer blocks");
        return max + 1;
    }

    private static int heads(Integer given, int width, TensorSource src) {
        if (given != null) return given;
        return switch (width) {
            case 768 -> 12;
            case 1024 -> 16;
            case 1280 -> 20;
            case 1600 -> 25;
            default -> throw new IllegalArgumentException(src.describe() + ": width " + width
                    + " is not a GPT-2 size, so the number of heads is unknown; put a config.json with n_head beside the file");
        };
    }

    /** Copies source tensors into the model's parameters in place, checking names and shapes as it goes. */
    private static final class Copier {
        private final TensorSource src;
        private final Map<String, Tensor> params;
        private final Set<String> usedSource;
        private final Set<String> filled = new HashSet<>();

        Copier(TensorSource src, Map<String, Tensor> params, Set<String> usedSource) {
            this.src = src;
            this.params = params;
            this.usedSource = usedSource;
        }

        NDArray take(String name, int... shape) {
            if (!src.names().contains(name)) throw new IllegalArgumentException(src.describe() + " is missing tensor '" + name + "'");
            NDArray t = src.read(name);
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(src.describe() + ": tensor '" + name + "' has shape " + Shape.format(t.shape())
                        + ", expected " + Shape.format(shape));
            }
            usedSource.add(name);
            return t;
        }

        void plain(String from, String to) {
            into(to, take(from, target(to).shape()), from);
        }

        void transposed(String from, String to) {
            int[] s = target(to).shape();
            into(to, take(from, s[1], s[0]).transpose(0, 1), from);
        }

        void into(String to, NDArray value, String from) {
            Tensor t = target(to);
            if (!java.util.Arrays.equals(t.shape(), value.shape())) {
                throw new IllegalArgumentException(src.describe() + ": tensor '" + from + "' gives " + to + " the shape "
                        + Shape.format(value.shape()) + ", expected " + Shape.format(t.shape()));
            }
            float[] values = value.toArray();
            NDArray data = t.data();
            System.arraycopy(values, 0, data.storage(), data.offset(), values.length);
            filled.add(to);
        }

        private Tensor target(String name) {
            Tensor t = params.get(name);
            if (t == null) throw new IllegalStateException("model has no parameter " + name);
            return t;
        }

        void finish(Set<String> sharedTargets) {
            for (String name : params.keySet()) {
                if (!filled.contains(name) && !sharedTargets.contains(name)) {
                    throw new IllegalArgumentException(src.describe() + " gave no value for the model's " + name);
                }
            }
            for (String name : src.names()) {
                if (!usedSource.contains(name)) throw new IllegalArgumentException(src.describe() + " has unexpected tensor '" + name + "'");
            }
        }
    }

    /**
     * Writes {@code model} in the Hugging Face GPT-2 layout: {@code model.safetensors} ({@code c_attn} joined,
     * matrices transposed to Conv1D's (in, out), a zero {@code c_attn.bias} when the model has no qkv bias, {@code
     * lm_head.weight} only for an untied head) and {@code config.json}, so that {@code
     * GPT2LMHeadModel.from_pretrained(dir)} loads it. Both files are written atomically.
     */
    public static void exportHuggingFace(GPTModel model, Path dir) throws IOException {
        GPTConfig c = model.config();
        Map<String, Tensor> p = model.namedParameters();
        Map<String, NDArray> out = new LinkedHashMap<>();
        int w = c.embDim();
        out.put("wte.weight", p.get("tok_emb.weight").data());
        out.put("wpe.weight", p.get("pos_emb.weight").data());
        for (int i = 0; i < c.nLayers(); i++) {
            String h = "h." + i + ".", b = "trf_blocks." + i + ".";
            out.put(h + "ln_1.weight", p.get(b + "norm1.scale").data());
            out.put(h + "ln_1.bias", p.get(b + "norm1.shift").data());
            List<NDArray> qkv = List.of(p.get(b + "att.W_query.weight").data(), p.get(b + "att.W_key.weight").data(), p.get(b + "att.W_value.weight").data());
            out.put(h + "attn.c_attn.weight", NDArray.concat(qkv, 0).transpose(0, 1).contiguous());
            out.put(h + "attn.c_attn.bias", c.qkvBias()
                    ? NDArray.concat(List.of(p.get(b + "att.W_query.bias").data(), p.get(b + "att.W_key.bias").data(), p.get(b + "att.W_value.bias").data()), 0)
                    : NDArray.zeros(3 * w));
            out.put(h + "attn.c_proj.weight", p.get(b + "att.out_proj.weight").data().transpose(0, 1).contiguous());
            out.put(h + "attn.c_proj.bias", p.get(b + "att.out_proj.bias").data());
            out.put(h + "ln_2.weight", p.get(b + "norm2.scale").data());
            out.put(h + "ln_2.bias", p.get(b + "norm2.shift").data());
            out.put(h + "mlp.c_fc.weight", p.get(b + "ff.layers.0.weight").data().transpose(0, 1).contiguous());
            out.put(h + "mlp.c_fc.bias", p.get(b + "ff.layers.0.bias").data());
            out.put(h + "mlp.c_proj.weight", p.get(b + "ff.layers.2.weight").data().transpose(0, 1).contiguous());
            out.put(h + "mlp.c_proj.bias", p.get(b + "ff.layers.2.bias").data());
        }
        out.put("ln_f.weight", p.get("final_norm.scale").data());
        out.put("ln_f.bias", p.get("final_norm.shift").data());
        if (!model.tiedHead()) out.put("lm_head.weight", p.get("out_head.weight").data());
        Files.createDirectories(dir);
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));

        JsonObject config = new JsonObject();
        config.addProperty("model_type", "gpt2");
        config.add("architectures", new com.google.gson.JsonArray());
        config.getAsJsonArray("architectures").add("GPT2LMHeadModel");
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("n_positions", c.contextLength());
        config.addProperty("n_ctx", c.contextLength());
        config.addProperty("n_embd", w);
        config.addProperty("n_head", c.nHeads());
        config.addProperty("n_layer", c.nLayers());
        config.addProperty("layer_norm_epsilon", 1e-5);
        config.addProperty("activation_function", "gelu_new");
        config.addProperty("tie_word_embeddings", model.tiedHead());
        config.addProperty("resid_pdrop", c.dropRate());
        config.addProperty("embd_pdrop", c.dropRate());
        config.addProperty("attn_pdrop", c.dropRate());
        byte[] json = new GsonBuilder().setPrettyPrinting().create().toJson(config).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(dir.resolve("config.json"), json);
    }
}
