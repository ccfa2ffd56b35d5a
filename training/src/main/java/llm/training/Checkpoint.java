package llm.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import llm.autograd.Tensor;
import llm.formats.AtomicFile;
import llm.formats.SafeTensorsFile;
import llm.formats.SafeTensorsWriter;
import llm.nn.Module;
import llm.optim.Optimizer;
import llm.tensor.NDArray;
import llm.tensor.StateDictCheck;

/**
 * A training checkpoint (Book §5.4, "Loading and saving model weights", plus what a bit-exact resume needs), in
 * one {@code .safetensors} file, for any {@link Module}:
 * <ul>
 * <li>tensors {@code model.<name>}: every distinct parameter (a tied head is stored once, under its first name);
 * <li>tensors {@code optimizer.<state>}: the optimiser's per-parameter state (AdamW's {@code exp_avg.*}, {@code
 * exp_avg_sq.*});
 * <li>{@code __metadata__}: the optimiser's type and step count, the trainer's step and tokens seen, the dropout
 * generator's state, the data stream's position, the evaluation history, and the trainer's extra strings (a
 * GPT's configuration, the tokenizer, the run's settings).
 * </ul>
 * The file is written to a temporary file beside it and renamed over the previous checkpoint ({@link AtomicFile}),
 * so a run killed while saving keeps the last complete one. Restoring the same state into a trainer built with
 * the same options continues exactly as the uninterrupted run would have, on the same number of threads.
 */
public final class Checkpoint {
    /** The file name the command-line tools use inside an output folder. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    /** The metadata key under which a trainer's model describes its shape (a GPT's configuration); compared on restore. */
    public static final String MODEL_KEY = "config";
    static final String FORMAT = "llm-java-checkpoint/1";
    private static final Gson GSON = new Gson();

    private Checkpoint() {}

    /**
     * Writes the trainer's full state to {@code file} atomically. Weights that hold NaN or infinite values (an update
     * that diverged without a non-finite loss yet) are not saved: the previous checkpoint stays, and the error says so.
     */
    public static void save(Path file, Trainer<?> trainer) throws IOException {
        Optimizer opt = trainer.optimizer();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (var e : Optimizer.distinct(trainer.model().namedParameters()).entrySet()) {
            if (!allFinite(e.getValue().data())) {
                throw new TrainingDivergedException(trainer.stepsDone(), "training diverged by step " + trainer.stepsDone() + ": parameter '"
                        + e.getKey() + "' holds NaN or infinite values, so no checkpoint was written; " + file
                        + " keeps the last good state. A lower learning rate, warmup or gradient clipping usually helps.");
            }
            tensors.put("model." + e.getKey(), e.getValue().data());
        }
        for (var e : opt.state().entrySet()) tensors.put("optimizer." + e.getKey(), e.getValue());

        Map<String, String> meta = new LinkedHashMap<>(trainer.extraMetadata());
        meta.put("format", FORMAT);
        meta.put("optimizer", opt.getClass().getSimpleName());
        meta.put("optimizer_steps", Long.toString(opt.steps()));
        meta.put("step", Long.toString(trainer.stepsDone()));
        meta.put("total_steps", Long.toString(trainer.options().totalSteps()));
        meta.put("tokens_seen", Long.toString(trainer.tokensSeen()));
        if (trainer.random() != null) meta.put("dropout_rng", GSON.toJson(trainer.random().saveState()));
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
     * Writes only a model's weights with {@code meta} (a fine-tuned model for inference, say): a checkpoint that
     * loads like any other but holds no optimiser state, so it cannot be resumed.
     */
    public static void saveWeights(Path file, Module model, Map<String, String> meta) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (var e : Optimizer.distinct(model.namedParameters()).entrySet()) tensors.put("model." + e.getKey(), e.getValue().data());
        Map<String, String> all = new LinkedHashMap<>(meta);
        all.put("format", FORMAT);
        all.put("optimizer", "none (weights only)");
        all.put("optimizer_steps", "0");
        all.putIfAbsent("step", "0");
        all.putIfAbsent("tokens_seen", "0");
        all.put("data_state", "[]");
        all.putIfAbsent("history", "[]");
        SafeTensorsWriter.write(file, tensors, all);
    }

    /**
     * Restores a trainer from {@code file}. The trainer's model must be the one saved (when both name a {@value
     * #MODEL_KEY}, they must agree) and its optimiser of the same type; every tensor is checked (missing, extra,
     * misshapen: an error naming it) before anything changes.
     */
    public static void restore(Path file, Trainer<?> trainer) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(resolve(file))) {
            Map<String, String> meta = checkedMetadata(f);
            String saved = meta.get(MODEL_KEY), mine = trainer.extraMetadata().get(MODEL_KEY);
            if (saved != null && mine != null && !saved.equals(mine)) {
                throw new IllegalArgumentException("checkpoint " + f.path() + " is for a model " + saved + ", not " + mine);
            }
            String optimizer = trainer.optimizer().getClass().getSimpleName();
            if (!optimizer.equals(meta.get("optimizer"))) {
                throw new IllegalArgumentException("checkpoint " + f.path() + " holds " + meta.get("optimizer") + " state, the trainer uses " + optimizer);
            }
            Map<String, NDArray> optState = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith("optimizer.")) optState.put(name.substring(10), f.read(name));
                else if (!name.startsWith("model.")) throw new IllegalArgumentException("checkpoint " + f.path() + ": unexpected tensor '" + name + "'");
            }
            loadWeights(trainer.model(), f);
            trainer.optimizer().loadState(optState, longMetadata(meta, "optimizer_steps", f.path()));
            // The data first: replaying the current epoch's shuffle moves its generator, which may be the very
            // generator dropout uses (the book has one global generator); the dropout state saved last wins.
            trainer.data().restoreState(GSON.fromJson(meta.get("data_state"), long[].class));
            if (trainer.random() != null) {
                if (!meta.containsKey("dropout_rng")) throw new IllegalArgumentException("checkpoint " + f.path() + " lacks metadata 'dropout_rng'");
                trainer.random().restoreState(GSON.fromJson(meta.get("dropout_rng"), long[].class));
            }
            List<Trainer.Evaluation> history = new ArrayList<>();
            for (var row : JsonParser.parseString(meta.get("history")).getAsJsonArray()) {
                JsonArray r = row.getAsJsonArray();
                history.add(new Trainer.Evaluation(r.get(0).getAsLong(), r.get(1).getAsLong(),
                        r.get(2).isJsonNull() ? Double.NaN : r.get(2).getAsDouble(), r.get(3).isJsonNull() ? Double.NaN : r.get(3).getAsDouble()));
            }
            trainer.restoreProgress(longMetadata(meta, "step", f.path()), longMetadata(meta, "tokens_seen", f.path()), history);
        }
    }

    /**
     * Copies the checkpoint's {@code model.*} tensors into {@code model}'s parameters, after checking that they
     * are exactly the model's distinct parameters with the same shapes.
     */
    public static void loadWeights(Module model, SafeTensorsFile f) {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (String name : f.names()) if (name.startsWith("model.")) weights.put(name.substring(6), f.read(name));
        Map<String, Tensor> distinct = Optimizer.distinct(model.namedParameters());
        StateDictCheck.check("checkpoint " + f.path(), "model.", distinct, Tensor::shape, weights, NDArray::shape);
        for (var e : weights.entrySet()) {
            if (!allFinite(e.getValue())) {
                throw new IllegalArgumentException("checkpoint " + f.path() + ": tensor 'model." + e.getKey() + "' holds NaN or infinite values (saved from a diverged run?)");
            }
        }
        for (var e : distinct.entrySet()) {
            NDArray target = e.getValue().data();
            float[] values = weights.get(e.getKey()).toArray();
            System.arraycopy(values, 0, target.storage(), target.offset(), values.length);
        }
    }

    /** Whether every value is finite; reads a contiguous array in place (a parameter may hold hundreds of megabytes). */
    private static boolean allFinite(NDArray a) {
        NDArray c = a.contiguous();
        float[] values = c.storage();
        for (int i = c.offset(), end = c.offset() + c.numel(); i < end; i++) if (!Float.isFinite(values[i])) return false;
        return true;
    }

    /** A whole number stored as metadata {@code key}; the error names the file, the key and the text found. */
    public static long longMetadata(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException("checkpoint " + file + " lacks metadata '" + key + "'");
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + key + "' is '" + v + "', not a whole number");
        }
    }

    /** As {@link #longMetadata}, within the range of an int. */
    public static int intMetadata(Map<String, String> meta, String key, Path file) {
        long v = longMetadata(meta, key, file);
        if (v != (int) v) throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + key + "' is " + v + ", out of range");
        return (int) v;
    }

    /** The {@code __metadata__} strings of a checkpoint (configuration, tokenizer, progress). */
    public static Map<String, String> metadata(Path fileOrDir) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(resolve(fileOrDir))) {
            return checkedMetadata(f);
        }
    }

    /** True when {@code path} (a file, or a folder holding {@value #FILE_NAME}) is a checkpoint of this project. */
    public static boolean isCheckpoint(Path path) throws IOException {
        Path file = resolve(path);
        if (!Files.isRegularFile(file) || !file.toString().endsWith(".safetensors")) return false;
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            String format = f.metadata().get("format");
            return format != null && format.startsWith("llm-java-checkpoint");
        }
    }

    /** A folder means the checkpoint file inside it. */
    public static Path resolve(Path fileOrDir) {
        return Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
    }

    /** The metadata, checked to be this project's checkpoint format with every key a restore reads. */
    public static Map<String, String> checkedMetadata(SafeTensorsFile f) {
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(f.path() + " is not a training checkpoint of this project (format " + meta.get("format")
                    + "); for GPT-2 weights use the pretrained loader");
        }
        for (String key : List.of("optimizer", "optimizer_steps", "step", "tokens_seen", "data_state", "history")) {
            if (!meta.containsKey(key)) throw new IllegalArgumentException("checkpoint " + f.path() + " lacks metadata '" + key + "'");
        }
        return meta;
    }
}
