package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import llm.classification.SpamSplits;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every training command with {@code --distributed} under {@code mpirun -np 2} (Book appendix A.9), through the one
 * generic Trainer: pretraining, classification, instruction fine-tuning and DPO each finish, print only once (rank
 * 0), and write their outputs. Skipped, saying why, where Open MPI is not installed.
 */
class DistributedCommandsTest {
    static final String TINY = "../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257";

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsMpirun() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) found |= Files.isExecutable(Path.of(dir, "mpirun"));
        if (!found) System.out.println("DistributedCommandsTest skipped: no mpirun on the PATH (install openmpi-bin)");
        Assumptions.assumeTrue(found, "no mpirun on the PATH (install openmpi-bin)");
    }

    record Result(int code, String output) {}

    Result mpirun(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mpirun", "-np", "2", "--oversubscribe", "--allow-run-as-root",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Dllm.threads=1", "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve("log-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("hung: " + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    @Test
    void pretrainingAndEveryFineTuningRunOnTwoRanks() throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, Files.readString(Path.of("../data/tinyshakespeare.txt")).substring(0, 20_000));
        Result train = mpirun("train", "--distributed", "--data", text.toString(), "--tokenizer", "char", "--model", "custom", "--layers", "1",
                "--heads", "2", "--width", "32", "--context", "32", "--batch", "4", "--steps", "4", "--eval-every", "2", "--out", tmp.resolve("train").toString());
        assertEquals(0, train.code(), train.output());
        assertTrue(train.output().contains("data parallel: 2 processes x 1 threads, 4 rows each of every global batch of 8"), train.output());
        assertEquals(1, count(train.output(), "done: 4 steps"), "rank 0 alone reports: " + train.output());
        assertEquals("4", Checkpoint.metadata(tmp.resolve("train")).get("step"));

        Path spam = SpamSplits.firstMessages(tmp.resolve("spam"), 16);
        Result classify = mpirun("finetune-classifier", "--distributed", "--data", spam.toString(), "--random-init", "--model", "custom", "--layers", "1",
                "--heads", "2", "--width", "16", "--max-length", "32", "--batch", "4", "--epochs", "1", "--eval-every", "1", "--eval-batches", "1",
                "--out", tmp.resolve("classify").toString());
        assertEquals(0, classify.code(), classify.output());
        assertEquals(1, count(classify.output(), "Test accuracy:"), classify.output());
        assertTrue(Files.size(tmp.resolve("classify").resolve("checkpoint.safetensors")) > 0);

        JsonArray all = JsonParser.parseString(Files.readString(Path.of("../data/instruction-data-with-preference.json"))).getAsJsonArray();
        JsonArray some = new JsonArray();
        for (int i = 0; i < all.size() && some.size() < 40; i++) {
            var o = all.get(i).getAsJsonObject();
            if (o.get("instruction").getAsString().length() < 50 && o.get("input").getAsString().isEmpty()) some.add(o);
        }
        Path prefs = tmp.resolve("prefs.json");
        Files.writeString(prefs, some.toString());
        Result instruct = mpirun("finetune-instruct", "--distributed", "--data", prefs.toString(), "--base", TINY, "--batch", "4", "--epochs", "1",
                "--eval-every", "2", "--eval-batches", "1", "--out", tmp.resolve("instruct").toString());
        assertEquals(0, instruct.code(), instruct.output());
        assertEquals(1, count(instruct.output(), "Training completed"), instruct.output());
        Result dpo = mpirun("dpo", "--distributed", "--data", prefs.toString(), "--base", tmp.resolve("instruct").toString(), "--batch", "2",
                "--eval-every", "2", "--eval-batches", "1", "--compare", "0", "--out", tmp.resolve("dpo").toString());
        assertEquals(0, dpo.code(), dpo.output());
        assertTrue(dpo.output().contains("Ep 1 (Step 000000): Train loss 0.693"), dpo.output());
        assertTrue(Files.size(tmp.resolve("dpo").resolve("metrics.csv")) > 0);
    }
}
