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

/** {@code ./llm finetune-instruct} end to end on 60 of the book's records and a narrow GPT-2 (the full-vocabulary fixture). */
class FinetuneInstructCommandTest {
    @TempDir
    Path tmp;

    @Test
    void fineTunesWritesTheModelAndTheResponses() throws IOException {
        JsonArray all = JsonParser.parseString(Files.readString(Path.of("../data/instruction-data.json"))).getAsJsonArray();
        JsonArray some = new JsonArray();
        for (int i = 0; i < 60; i++) some.add(all.get(i));
        Path data = tmp.resolve("some.json");
        Files.writeString(data, some.toString());
        Path out = tmp.resolve("out");
        var r = TrainAndGenerateCommandTest.run(new FinetuneInstructCommand(), "--data", data.toString(),
                "--base", "../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257", "--epochs", "3", "--lr", "3e-3",
                "--eval-every", "2", "--eval-batches", "2", "--responses", "--max-new-tokens", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("data: 51 training, 3 validation, 6 test records; 6 batches per epoch"), r.out());
        assertTrue(r.out().contains("Ep 1 (Step 000000): Train loss"), r.out());
        assertTrue(Files.size(out.resolve("checkpoint.safetensors")) > 0 && Files.size(out.resolve("loss.png")) > 0);
        JsonArray responses = JsonParser.parseString(Files.readString(out.resolve("instruction-data-with-response.json"))).getAsJsonArray();
        assertEquals(6, responses.size());
        assertTrue(responses.get(0).getAsJsonObject().has("model_response"));
        assertEquals(all.get(51).getAsJsonObject().get("instruction"), responses.get(0).getAsJsonObject().get("instruction"));

        Files.writeString(data, "[{\"instruction\": \"short\", \"output\": \"ok\"}, {\"instruction\": \"" + "word ".repeat(80) + "\", \"output\": \"ok\"}]");
        var tooLong = TrainAndGenerateCommandTest.run(new FinetuneInstructCommand(), "--data", data.toString(),
                "--base", "../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257", "--out", tmp.resolve("never").toString());
        assertEquals(2, tooLong.code());
        assertTrue(tooLong.err().contains("some.json record 1: 'instruction' and 'input' take"), tooLong.err());

        var bad = TrainAndGenerateCommandTest.run(new FinetuneInstructCommand(), "--data", data.toString(), "--base", "x", "--template", "chatml",
                "--out", tmp.resolve("never").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--template: unknown prompt template 'chatml'"), bad.err());
    }
}
