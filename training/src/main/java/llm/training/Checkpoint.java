package llm.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.autograd.Tensor;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.weights.SafeTensorsFile;
import llm.weights.SafeTensorsWriter;

/**
 * A training checkpoint (Book §5.4, "Loading and saving model weights", plus what a bit-exact resume needs), in
 * one {@code .safetensors} file:
 * <ul>
 * <li>tensors {@code model.<name>}: every distinct parameter (a tied head is stored once, under {@code
 * tok_emb.weight});
 * <li>tensors {@code optimizer.<state>}: the optimiser's per-parameter state (AdamW's {@code exp_avg.*}, {@code
 * exp_avg_sq.*});
 * <li>{@code __metadata__}: the model's configuration, whether the head is tied, the optimiser's type and step
 * count, the trainer's step and tokens seen, the dropout generator's state, the data stream's position, the
 * evaluation history, and the caller's extra strings (the tokenizer).
 * </ul>
 * The file is written to a temporary file and renamed over the previous checkpoint, so a run killed while
 * saving keeps the last complete one. Restoring the same state into a trainer built with the same options
 * continues exactly as the uninterrupted run would have, on the same number of threads.
 */
public final class Checkpoint {
    /** The file name the command-line tools use inside an output folder. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    static final String FORMAT = "llm-java-checkpoint/1";
    private static final Gson GSON = new Gson();

    private Checkpoint() {}

    /** Writes the trainer's full state to {@code file} atomically. */
    public static void save(Path file, Trainer trainer) throws IOException {
        GPTModel model = trainer.model();
        Optimizer opt = trainer.optimizer();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (var e : Optimizer.distinct(model.namedParameters()).entrySet()) tensors.put("model." + e.getKey(), e.getValue().data());
        for (var e : opt.state().entrySet()) tensors.put("optimizer." + e.getKey(), e.getValue());

        Map<String, String> meta = new LinkedHashMap<>(trainer.extraMetadata());
        meta.put("format", FORMAT);
        meta.put("config", GSON.toJson(model.config()));
        meta.put("tied_head", Boolean.toString(model.tiedHead()));
        meta.put("optimizer", opt.getClass().getSimpleName());
        meta.put("optimizer_steps", Long.toString(opt.steps()));
        meta.put("step", Long.toString(trainer.stepsDone()));
        meta.put("total_steps", Long.toString(trainer.options().totalSteps()));
        meta.put("tokens_seen", Long.toString(trainer.tokensSeen()));
        meta.put("dropout_rng", GSON.toJson(model.random().saveState()));
        meta.put("data_state", GSON.toJson(trainer.data().saveState()));
        JsonArray history = new JsonArray();
        for (Trainer.Evaluation e : trainer.history()) {
            JsonArray row = new JsonArray();
            row.add(e.step());
            row.add(e.tokensSeen());
            row.add(Double.isNaN(e.trainLoss()) ? null : e.trainLoss());
            row.add(Double.isNaN(e.valLoss()) ? null : e.valLoss());
            history.add(row);
        }
        meta.put("history", history.toString());
        SafeTensorsWriter.write(file, tensors, meta);
    }

    /**
     * Restores a trainer from {@code file}. The trainer's model must have the checkpoint's configuration and
     * its optimiser the same type; every tensor is checked (missing, extra, misshapen: an error naming it)
     * before anything changes.
     */
    public static void restore(Path file, Trainer trainer) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(resolve(file))) {
            Map<String, String> meta = checkedMetadata(f);
            GPTModel model = trainer.model();
            GPTConfig saved = GSON.fromJson(meta.get("config"), GPTConfig.class);
            if (!saved.equals(model.config())) {
                throw new IllegalArgumentException("checkpoint " + f.path() + " is for a model " + saved + ", not " + model.config());
            }
            String optimizer = trainer.optimizer().getClass().getSimpleName();
            if (!optimizer.equals(meta.get("optimizer"))) {
                throw new IllegalArgumentException("checkpoint " + f.path() + " holds " + meta.get("optimizer") + " state, the trainer uses " + optimizer);
            }
            Map<String, NDArray> weights = new LinkedHashMap<>(), optState = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith("model.")) weights.put(name.substring(6), f.read(name));
                else if (name.startsWith("optimizer.")) optState.put(name.substring(10), f.read(name));
                else throw new IllegalArgumentException("checkpoint " + f.path() + " has unexpected tensor '" + name + "'");
            }
            loadWeights(model, weights, f.path());
            trainer.optimizer().loadState(optState, Long.parseLong(meta.get("optimizer_steps")));
            // The data first: replaying the current epoch's shuffle moves its generator, which may be the very
            // generator dropout uses (the book has one global generator); the dropout state saved last wins.
            trainer.data().restoreState(GSON.fromJson(meta.get("data_state"), long[].class));
            model.random().restoreState(GSON.fromJson(meta.get("dropout_rng"), long[].class));
            List<Trainer.Evaluation> history = new ArrayList<>();
            for (var row : JsonParser.parseString(meta.get("history")).getAsJsonArray()) {
                JsonArray r = row.getAsJsonArray();
                history.add(new Trainer.Evaluation(r.get(0).getAsLong(), r.get(1).getAsLong(),
                        r.get(2).isJsonNull() ? Double.NaN : r.get(2).getAsDouble(), r.get(3).isJsonNull() ? Double.NaN : r.get(3).getAsDouble()));
            }
            trainer.restoreProgress(Long.parseLong(meta.get("step")), Long.parseLong(meta.get("tokens_seen")), history);
        }
    }

    /** The model saved in a checkpoint (a file, or a folder holding {@value #FILE_NAME}), in evaluation mode. */
    public static GPTModel loadModel(Path fileOrDir) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(resolve(fileOrDir))) {
            Map<String, String> meta = checkedMetadata(f);
            GPTConfig config = GSON.fromJson(meta.get("config"), GPTConfig.class);
            GPTModel model = new GPTModel(config, Boolean.parseBoolean(meta.get("tied_head")), new SeededRandom(0));
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : f.names()) if (name.startsWith("model.")) weights.put(name.substring(6), f.read(name));
            loadWeights(model, weights, f.path());
            model.eval();
            return model;
        }
    }

    /** The {@code __metadata__} strings of a checkpoint (configuration, tokenizer, progress). */
    public static Map<String, String> metadata(Path fileOrDir) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(resolve(fileOrDir))) {
            return checkedMetadata(f);
        }
    }

    /** A folder means the checkpoint file inside it. */
    public static Path resolve(Path fileOrDir) {
        return Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
    }

    private static Map<String, String> checkedMetadata(SafeTensorsFile f) {
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(f.path() + " is not a training checkpoint of this project (format " + meta.get("format")
                    + "); for GPT-2 weights use the pretrained loader");
        }
        for (String key : List.of("config", "tied_head", "optimizer", "optimizer_steps", "step", "tokens_seen", "dropout_rng", "data_state", "history")) {
            if (!meta.containsKey(key)) throw new IllegalArgumentException("checkpoint " + f.path() + " lacks metadata '" + key + "'");
        }
        return meta;
    }

    private static void loadWeights(GPTModel model, Map<String, NDArray> weights, Path file) {
        Map<String, Tensor> distinct = Optimizer.distinct(model.namedParameters());
        for (String name : distinct.keySet()) {
            if (!weights.containsKey(name)) throw new IllegalArgumentException("checkpoint " + file + " is missing tensor 'model." + name + "'");
        }
        for (String name : weights.keySet()) {
            if (!distinct.containsKey(name)) throw new IllegalArgumentException("checkpoint " + file + " has unexpected tensor 'model." + name + "'");
            if (!Arrays.equals(weights.get(name).shape(), distinct.get(name).shape())) {
                throw new IllegalArgumentException("checkpoint " + file + ": tensor 'model." + name + "' has shape "
                        + Arrays.toString(weights.get(name).shape()) + ", the model needs " + Arrays.toString(distinct.get(name).shape()));
            }
        }
        for (var e : distinct.entrySet()) {
            NDArray target = e.getValue().data();
            float[] values = weights.get(e.getKey()).toArray();
            System.arraycopy(values, 0, target.storage(), target.offset(), values.length);
        }
    }
}
