package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./llm train} and {@code ./llm generate} end to end on a small character-level run. */
class TrainAndGenerateCommandTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(Object command, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(buffer, true));
        try {
            CommandLine cl = new CommandLine(command);
            cl.setExecutionExceptionHandler(Main.ERRORS);
            cl.setErr(new PrintWriter(err, true));
            return new Result(cl.execute(args), buffer.toString(), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void trainsSavesPlotsResumesAndGenerates() throws IOException {
        Path text = tmp.resolve("shakespeare.txt");
        Files.writeString(text, Files.readString(Path.of("../data/tinyshakespeare.txt")).substring(0, 20000));
        Path out = tmp.resolve("run");
        Result train = run(new TrainCommand(), "--data", text.toString(), "--tokenizer", "char", "--model", "custom", "--layers", "2",
                "--heads", "2", "--width", "32", "--context", "32", "--batch", "4", "--steps", "12", "--eval-every", "4",
                "--eval-batches", "2", "--checkpoint-every", "6", "--warmup", "2", "--min-lr", "1e-4", "--lr", "3e-3", "--clip", "1",
                "--prompt", "ROMEO:", "--sample-tokens", "10", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Step 000001: Train loss") || train.out().contains("(Step 000000): Train loss"), train.out());
        assertTrue(train.out().contains("sample after step 12: ROMEO:"), train.out());
        assertTrue(train.out().contains("checkpoint (step 6)") && train.out().contains("checkpoint (step 12)"), train.out());
        assertTrue(Files.size(out.resolve("loss.png")) > 1000);
        assertEquals("12", Checkpoint.metadata(out).get("step"));
        assertEquals("char", Checkpoint.metadata(out).get("tokenizer"));

        Result resume = run(new TrainCommand(), "--out", out.toString(), "--resume");
        assertEquals(0, resume.code(), resume.err());
        assertTrue(resume.out().contains("resuming " + out.resolve(Checkpoint.FILE_NAME) + " at step 12 of 12"), resume.out());

        // the data moved away: the resume says so and how to point at it (issue 17, item 11)
        Path moved = tmp.resolve("moved.txt");
        Files.move(text, moved);
        Result lost = run(new TrainCommand(), "--out", out.toString(), "--resume");
        assertEquals(2, lost.code());
        assertTrue(lost.err().contains("read " + text + ", which is not there any more; resume with --data PATH"), lost.err());
        assertEquals(0, run(new TrainCommand(), "--out", out.toString(), "--resume", "--data", moved.toString()).code());

        Result generate = run(new GenerateCommand(), "--checkpoint", out.toString(), "--prompt", "ROMEO:", "--max-new-tokens", "20",
                "--temperature", "0.8", "--seed", "1");
        assertEquals(0, generate.code(), generate.err());
        assertTrue(generate.out().startsWith("ROMEO:") && generate.out().strip().length() > "ROMEO:".length(), generate.out());

        Result bf16 = run(new GenerateCommand(), "--checkpoint", out.toString(), "--prompt", "ROMEO:", "--max-new-tokens", "20", "--weights", "bf16");
        assertEquals(0, bf16.code(), bf16.err());
        assertTrue(bf16.out().startsWith("ROMEO:") && bf16.out().strip().length() > "ROMEO:".length(), bf16.out());
        Result badFormat = run(new GenerateCommand(), "--checkpoint", out.toString(), "--weights", "fp8");
        assertEquals(2, badFormat.code());
        assertTrue(badFormat.err().contains("unknown weight format 'fp8': use fp32, bf16 or int8"), badFormat.err());

        // the loss of the text under the model, fp32 and int8: a number each, close together
        Result fp32Loss = run(new PerplexityCommand(), "--checkpoint", out.toString(), "--data", moved.toString(), "--context", "32");
        Result int8Loss = run(new PerplexityCommand(), "--checkpoint", out.toString(), "--data", moved.toString(), "--context", "32", "--weights", "int8");
        assertEquals(0, fp32Loss.code(), fp32Loss.err());
        assertEquals(0, int8Loss.code(), int8Loss.err());
        var line = java.util.regex.Pattern.compile("loss (\\d+\\.\\d{4}), perplexity [\\d.]+ over ([\\d,]+) tokens \\((fp32|int8) weights\\)");
        var a = line.matcher(fp32Loss.out());
        var b = line.matcher(int8Loss.out());
        assertTrue(a.find() && b.find(), fp32Loss.out() + int8Loss.out());
        assertEquals(a.group(2), b.group(2), "the same tokens are scored");
        assertEquals(Double.parseDouble(a.group(1)), Double.parseDouble(b.group(1)), 0.05, "int8 costs little loss");
        Path tiny = tmp.resolve("tiny.txt");
        Files.writeString(tiny, "ROMEO");
        Result tooShort = run(new PerplexityCommand(), "--checkpoint", out.toString(), "--data", tiny.toString());
        assertEquals(2, tooShort.code());
        assertTrue(tooShort.err().contains(tiny + " has 5 tokens; a window of 32 needs at least 33 (give a smaller --context)"), tooShort.err());
        Result noText = run(new PerplexityCommand(), "--checkpoint", out.toString(), "--data", tmp.resolve("absent.txt").toString());
        assertEquals(2, noText.code());
        assertTrue(noText.err().contains("--data: no such file: " + tmp.resolve("absent.txt")), noText.err());
    }

    @Test
    void badInputIsOneClearLine() {
        Result noData = run(new TrainCommand(), "--out", tmp.resolve("x").toString());
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("--data is required"), noData.err());
        Result missing = run(new TrainCommand(), "--data", tmp.resolve("nope.txt").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.txt"), missing.err());
        Result notACheckpoint = run(new GenerateCommand(), "--checkpoint", tmp.resolve("none").toString());
        assertEquals(2, notACheckpoint.code());
        assertTrue(notACheckpoint.err().contains("none"), notACheckpoint.err());
    }

    /** Each bad flag fails before any data is read or anything is written, with one line naming the flag. */
    @Test
    void badFlagsFailUpFrontNamingTheFlag() throws IOException {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "some text ".repeat(200));
        Path out = tmp.resolve("never");
        String[][] cases = {
                {"--steps", "0"}, {"--accumulate", "0"}, {"--warmup", "-1"}, {"--context", "-5"}, {"--batch", "0"},
                {"--eval-every", "-1"}, {"--lr", "0"}, {"--dropout", "1.5"}, {"--val-fraction", "1"}};
        for (String[] flag : cases) {
            Result r = run(new TrainCommand(), "--data", text.toString(), "--tokenizer", "char", "--out", out.toString(), flag[0], flag[1]);
            assertEquals(2, r.code(), String.join(" ", flag));
            assertTrue(r.err().startsWith("llm train: " + flag[0]) && r.err().strip().lines().count() == 1, r.err());
        }
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Result unwritable = run(new TrainCommand(), "--data", text.toString(), "--out", file.resolve("sub").toString());
        assertEquals(2, unwritable.code());
        assertTrue(unwritable.err().contains("--out") && unwritable.err().contains("is a file"), unwritable.err());
        assertTrue(!Files.exists(out), "nothing was written");
    }

    /** A new run refuses to replace a checkpoint unless asked to, and clears temporaries a killed save left behind. */
    @Test
    void anExistingCheckpointIsKeptAndStaleTemporariesAreCleared() throws IOException {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, Files.readString(Path.of("../data/tinyshakespeare.txt")).substring(0, 4000));
        Path out = tmp.resolve("run");
        String[] args = {"--data", text.toString(), "--tokenizer", "char", "--model", "custom", "--layers", "1", "--heads", "1",
                "--width", "8", "--context", "8", "--steps", "1", "--eval-every", "0", "--out", out.toString()};
        Result first = run(new TrainCommand(), args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("no evaluations, so no loss plot") && !Files.exists(out.resolve("loss.png")), first.out());
        Path stale = out.resolve("checkpoint.safetensors.writing-123456.tmp");
        Files.writeString(stale, "left by a kill -9 during a save");
        Result again = run(new TrainCommand(), args);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists") && again.err().contains("--overwrite"), again.err());
        String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
        overwrite[args.length] = "--overwrite";
        Result replaced = run(new TrainCommand(), overwrite);
        assertEquals(0, replaced.code(), replaced.err());
        assertTrue(!Files.exists(stale), "the stale temporary file is gone");
    }

    /** Char-level shards carry an end-of-text id after the alphabet: training samples and generation decode it (issue: "token id 9 is outside the vocabulary of 9"). */
    @Test
    void charShardsTrainSampleAndGenerate() throws IOException {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 0; i < 60; i++) Files.writeString(docs.resolve(String.format("d%02d.txt", i)), "abc cab ".repeat(1 + i % 3));   // short documents: many end-of-text ids
        Path shards = tmp.resolve("shards");
        Result prep = run(new PrepareCommand(), "--tokenizer", "char", "--out", shards.toString(), docs.toString());
        assertEquals(0, prep.code(), prep.err());
        Path out = tmp.resolve("run");
        Result train = run(new TrainCommand(), "--data", shards.toString(), "--model", "custom", "--layers", "1", "--heads", "1", "--width", "8",
                "--context", "16", "--batch", "2", "--steps", "3", "--eval-every", "1", "--sample-every", "1", "--sample-tokens", "40", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("sample after step 3:"), train.out());
        Result generate = run(new GenerateCommand(), "--checkpoint", out.toString(), "--prompt", "ab", "--max-new-tokens", "30", "--temperature", "1", "--seed", "3");
        assertEquals(0, generate.code(), generate.err());
        assertTrue(generate.out().startsWith("ab"), generate.out());
    }
}
