package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./llm dpo} end to end on 40 of the book's preference records and the narrow full-vocabulary GPT-2. */
class DpoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tunesPrintsTheBooksLinesAndWritesItsFiles() throws IOException {
        JsonArray all = JsonParser.parseString(Files.readString(Path.of("../data/instruction-data-with-preference.json"))).getAsJsonArray();
        JsonArray some = new JsonArray();
        for (int i = 0; i < 40; i++) some.add(all.get(i));
        Path data = tmp.resolve("prefs.json"), out = tmp.resolve("out");
        Files.writeString(data, some.toString());
        var r = TrainAndGenerateCommandTest.run(new DpoCommand(), "--data", data.toString(),
                "--base", "../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257", "--batch", "4", "--lr", "1e-3",
                "--eval-every", "4", "--eval-batches", "1", "--compare", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Ep 1 (Step 000000): Train loss 0.693, Val loss 0.693, Train reward margins"), r.out());
        assertTrue(r.out().contains("Reference model response:") && r.out().contains("Policy model response:"), r.out());
        for (String f : new String[] {"checkpoint.safetensors", "metrics.csv", "loss.png", "reward-margins.png"}) assertTrue(Files.size(out.resolve(f)) > 0, f);

        Files.writeString(data, "[{\"instruction\": \"x\", \"output\": \"y\", \"chosen\": \"a\"}]");
        var bad = TrainAndGenerateCommandTest.run(new DpoCommand(), "--data", data.toString(), "--base", "x", "--out", tmp.resolve("never").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("record 0 has no 'rejected'"), bad.err());
    }
}
