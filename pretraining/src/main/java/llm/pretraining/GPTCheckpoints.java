package llm.pretraining;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import com.google.gson.Gson;
import llm.formats.SafeTensorsFile;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;

/**
 * What a {@link Checkpoint} needs to know to rebuild a GPT (Book §5.4): its configuration and whether its head
 * is tied, stored as metadata {@code config} (JSON) and {@code tied_head}.
 */
public final class GPTCheckpoints {
    /** Metadata of a model whose head was replaced by a classifier's (Book §6.5): the number of classes. */
    public static final String HEAD_CLASSES_KEY = "head_classes";
    private static final Gson GSON = new Gson();

    private GPTCheckpoints() {}

    /** Adds the model's configuration to checkpoint metadata (the key a restore compares), and a classifier head's size. */
    public static void describe(GPTModel model, Map<String, String> meta) {
        meta.put(Checkpoint.MODEL_KEY, GSON.toJson(model.config()));
        meta.put("tied_head", Boolean.toString(model.tiedHead()));
        if (model.outHead().outFeatures() != model.config().vocabSize() || model.outHead().bias != null) {
            meta.put(HEAD_CLASSES_KEY, Integer.toString(model.outHead().outFeatures()));
        }
    }

    /** The model saved in a checkpoint (a file, or a folder holding {@value Checkpoint#FILE_NAME}), in evaluation mode. */
    public static GPTModel loadModel(Path fileOrDir) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(Checkpoint.resolve(fileOrDir))) {
            Map<String, String> meta = Checkpoint.checkedMetadata(f);
            String config = meta.get(Checkpoint.MODEL_KEY);
            if (config == null || !meta.containsKey("tied_head")) {
                throw new IllegalArgumentException("checkpoint " + f.path() + " does not describe a GPT (no 'config' and 'tied_head' metadata)");
            }
            GPTConfig cfg;
            try {
                cfg = GSON.fromJson(config, GPTConfig.class);
            } catch (RuntimeException e) {
                // Gson wraps the record's own check ("nLayers must be ...") in "Failed to invoke constructor"
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException("checkpoint " + f.path() + ": its 'config' metadata is not a GPT configuration (" + cause.getMessage() + ")");
            }
            if (cfg == null) throw new IllegalArgumentException("checkpoint " + f.path() + ": its 'config' metadata is empty");
            boolean tied = Boolean.parseBoolean(meta.get("tied_head"));
            int classes = meta.containsKey(HEAD_CLASSES_KEY) ? Checkpoint.intMetadata(meta, HEAD_CLASSES_KEY, f.path()) : 0;
            if (classes < 0) throw new IllegalArgumentException("checkpoint " + f.path() + ": metadata '" + HEAD_CLASSES_KEY + "' is " + classes);
            long expected = classes > 0
                    ? cfg.parameterCount(true) + (long) cfg.embDim() * classes + classes      // a classifier head with a bias
                    : cfg.parameterCount(tied);
            // The configuration is checked against the tensors the file holds before the model is built: a small
            // file whose configuration asks for thousands of layers must not make the JVM allocate them.
            long stored = 0;
            for (String name : f.names()) if (name.startsWith("model.")) stored += f.entry(name).numel();
            if (expected != stored) {
                throw new IllegalArgumentException("checkpoint " + f.path() + ": its configuration " + cfg + " has " + expected
                        + " parameters, the file holds " + stored);
            }
            GPTModel model = new GPTModel(cfg, tied || classes > 0, new SeededRandom(0));
            if (classes > 0) model.replaceOutputHead(new Linear(cfg.embDim(), classes, true, new SeededRandom(0)));
            Checkpoint.loadWeights(model, f);
            model.eval();
            return model;
        }
    }
}
