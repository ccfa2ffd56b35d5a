package llm.instruction;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The instruction data of Book §7.2: a JSON array of records with {@code instruction}, {@code input} (may be
 * empty) and {@code output}, and for preference tuning also {@code chosen} and {@code rejected}. Read with Gson;
 * a file that is not an array of records, or a record without a required field, is one error naming the file,
 * the record's index and the field.
 */
public final class InstructionData {
    /** One record; {@code chosen} and {@code rejected} are null outside preference data. */
    public record Entry(String instruction, String input, String output, String chosen, String rejected) {}

    /** The book's splits, in file order. */
    public record Splits(List<Entry> train, List<Entry> validation, List<Entry> test) {}

    private InstructionData() {}

    /** Reads {@code file}; with {@code preferences}, every record must also have {@code chosen} and {@code rejected}. */
    public static List<Entry> read(Path file, boolean preferences) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        JsonElement root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(in);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (!root.isJsonArray()) throw new IllegalArgumentException(file + " is not a JSON array of records");
        List<Entry> out = new ArrayList<>();
        int index = 0;
        for (JsonElement e : root.getAsJsonArray()) {
            if (!e.isJsonObject()) throw new IllegalArgumentException(file + " record " + index + " is not an object");
            JsonObject o = e.getAsJsonObject();
            String instruction = text(o, "instruction", true, file, index), output = text(o, "output", true, file, index);
            String input = text(o, "input", false, file, index);
            String chosen = text(o, "chosen", preferences, file, index), rejected = text(o, "rejected", preferences, file, index);
            out.add(new Entry(instruction, input == null ? "" : input, output, chosen, rejected));
            index++;
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no records");
        return out;
    }

    private static String text(JsonObject o, String field, boolean required, Path file, int index) {
        JsonElement v = o.get(field);
        if (v == null || v.isJsonNull()) {
            if (required) throw new IllegalArgumentException(file + " record " + index + " has no '" + field + "'");
            return null;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(file + " record " + index + ": '" + field + "' is not a string");
        }
        return v.getAsString();
    }

    /** The book's split in file order: the first 85 % for training, the next 10 % for testing, the rest for validation (935 / 110 / 55 of 1,100). */
    public static Splits split(List<Entry> data) {
        int train = (int) (data.size() * 0.85), test = (int) (data.size() * 0.1);
        return new Splits(List.copyOf(data.subList(0, train)), List.copyOf(data.subList(train + test, data.size())),
                List.copyOf(data.subList(train, train + test)));
    }

    /**
     * Checks, in file order, that every record's prompt leaves room for a response in {@code context} tokens
     * ({@code reserve} more tokens after the prompt are needed); the error names the file and the record's index.
     */
    public static void checkPromptsFit(Path file, List<Entry> data, llm.tokenizer.Tokenizer tokenizer, PromptTemplate template, int context, int reserve) {
        for (int i = 0; i < data.size(); i++) {
            int n = tokenizer.encode(template.formatInput(data.get(i))).length;
            if (n + reserve >= context) {
                throw new IllegalArgumentException(file + " record " + i + ": 'instruction' and 'input' take " + n
                        + " tokens, leaving no room for a response in the " + context + " tokens the model reads");
            }
        }
    }
}
