package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./llm chat}: one answer with --prompt, and a session read from standard input that ends at end of input. */
class ChatCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void smallModel() throws IOException {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "Below is an instruction that describes a task. ".repeat(40));
        model = tmp.resolve("model");
        var r = TrainAndGenerateCommandTest.run(new TrainCommand(), "--data", text.toString(), "--model", "custom", "--layers", "1", "--heads", "1",
                "--width", "8", "--context", "128", "--steps", "1", "--eval-every", "0", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void answersOnceWithPrompt() {
        var r = TrainAndGenerateCommandTest.run(new ChatCommand(), "--checkpoint", model.toString(), "--prompt", "Say hello.", "--max-new-tokens", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("\n") && r.out().lines().count() == 1, r.out());
    }

    @Test
    void sessionSkipsEmptyLinesAndEndsAtEndOfInput() {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream("Say hello.\n\n   \nName a color.\n".getBytes(StandardCharsets.UTF_8)));
        try {
            var r = TrainAndGenerateCommandTest.run(new ChatCommand(), "--checkpoint", model.toString(), "--max-new-tokens", "3");
            assertEquals(0, r.code(), r.err());
            assertEquals(5, r.out().split("> ", -1).length - 1, "a prompt for each of the four lines and one at the end: " + r.out());
        } finally {
            System.setIn(original);
        }
        var bad = TrainAndGenerateCommandTest.run(new ChatCommand(), "--checkpoint", tmp.resolve("none").toString(), "--prompt", "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("is not a checkpoint"), bad.err());
    }
}
