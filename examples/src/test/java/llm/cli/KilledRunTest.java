package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import llm.pretraining.GPTCheckpoints;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a training process at random moments, checkpoints being written all the time (the audit's kill
 * category): after every kill the checkpoint loads, a resume continues from it, and the temporary files the kills
 * left are gone after the resume.
 */
class KilledRunTest {
    @TempDir
    Path tmp;

    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + System.nanoTime() + ".txt").toFile()).start();
    }

    @Test
    void killedWhileCheckpointingLosesNothing() throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, Files.readString(Path.of("../data/tinyshakespeare.txt")).substring(0, 20_000));
        Path out = tmp.resolve("run");
        SeededRandom rng = new SeededRandom(42);
        long lastStep = -1;
        for (int kill = 0; kill < 3; kill++) {
            Process p = kill == 0
                    ? start("train", "--data", text.toString(), "--tokenizer", "char", "--model", "custom", "--layers", "1", "--heads", "2",
                            "--width", "32", "--context", "32", "--batch", "4", "--steps", "100000", "--checkpoint-every", "1", "--eval-every", "0",
                            "--out", out.toString())
                    : start("train", "--resume", "--out", out.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path file = out.resolve(Checkpoint.FILE_NAME);
            long before = lastStep;
            // wait until this process has written a checkpoint of its own, then kill it a moment later
            while (System.nanoTime() < deadline && p.isAlive()
                    && (!Files.exists(file) || Long.parseLong(Checkpoint.metadata(file).getOrDefault("step", "-1")) <= before)) {
                Thread.sleep(20);
            }
            Thread.sleep(rng.nextInt(200));
            p.destroyForcibly().waitFor();                    // SIGKILL: no shutdown hooks, no finally blocks
            long step = Long.parseLong(Checkpoint.metadata(file).get("step"));
            assertTrue(step > before, "kill " + kill + ": the run got past step " + before + " (now " + step + ")");
            GPTCheckpoints.loadModel(out);                    // whole and loadable
            lastStep = step;
        }
        Process resumed = start("train", "--resume", "--out", out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && Long.parseLong(Checkpoint.metadata(out).get("step")) <= lastStep) Thread.sleep(20);
        resumed.destroyForcibly().waitFor();
        try (Stream<Path> files = Files.list(out)) {
            long temporaries = files.filter(f -> f.getFileName().toString().contains(".writing-")).count();
            assertTrue(temporaries <= 1, "the resume cleared what the kills left; at most the last kill's own remains: " + temporaries);
        }
        assertEquals(true, Checkpoint.isCheckpoint(out.resolve(Checkpoint.FILE_NAME)));
    }
}
