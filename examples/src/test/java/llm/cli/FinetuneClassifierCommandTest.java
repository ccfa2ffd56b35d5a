package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import llm.classification.SpamSplits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./llm finetune-classifier} and {@code ./llm classify} end to end on a small part of the book's split, and their bad input. */
class FinetuneClassifierCommandTest {
    @TempDir
    Path tmp;

    /** The first {@code n} messages of each split, as CSV files. */
    Path smallSplit(int n) throws IOException {
        return SpamSplits.firstMessages(tmp.resolve("spam"), n);
    }

    @Test
    void fineTunesWithLoRAWritesEverythingAndClassifies() throws IOException {
        Path data = smallSplit(24), out = tmp.resolve("out");
        var r = TrainAndGenerateCommandTest.run(new FinetuneClassifierCommand(), "--data", data.toString(), "--random-init", "--model", "custom",
                "--layers", "1", "--heads", "2", "--width", "16", "--max-length", "32", "--lora-rank", "4", "--lora-alpha", "8",
                "--epochs", "2", "--eval-every", "2", "--eval-batches", "1", "--lr", "1e-3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trainable parameters: ") && r.out().contains("LoRA rank 4"), r.out());
        assertTrue(r.out().contains("Ep 1 (Step 000000): Train loss"), r.out());
        assertTrue(r.out().contains("Training accuracy: ") && r.out().contains("| Test accuracy: "), r.out());
        for (String f : List.of("checkpoint.safetensors", "adapters.safetensors", "metrics.csv", "loss.png", "accuracy.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(out.resolve("metrics.csv")).startsWith("kind,index,train,validation\nloss,0,"));

        var c = TrainAndGenerateCommandTest.run(new ClassifyCommand(), "--checkpoint", out.toString(), "Free entry! Text WIN now", "see you at lunch");
        assertEquals(0, c.code(), c.err());
        assertEquals(2, c.out().strip().lines().count(), c.out());
        assertTrue(c.out().lines().allMatch(l -> l.startsWith("spam") || l.startsWith("not spam")), c.out());
    }

    /**
     * The route a user with OpenAI's files takes (--base on a Hugging Face GPT-2 folder), on a narrow GPT-2 with the
     * full vocabulary that PyTorch wrote in that layout ({@code make_gpt2_fullvocab_fixture.py}): it loads, trains,
     * and the training loss falls.
     */
    @Test
    void fineTunesFromGpt2FilesAndTheLossFalls() throws IOException {
        Path gpt2 = Path.of("../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257");
        Path data = smallSplit(32), out = tmp.resolve("out");
        var r = TrainAndGenerateCommandTest.run(new FinetuneClassifierCommand(), "--data", data.toString(), "--base", gpt2.toString(),
                "--trainable", "all", "--max-length", "48", "--epochs", "4", "--eval-every", "4", "--eval-batches", "4", "--lr", "3e-3",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("base: GPT-2 weights from " + gpt2), r.out());
        List<String> losses = Files.readAllLines(out.resolve("metrics.csv")).stream().filter(l -> l.startsWith("loss,")).toList();
        double first = Double.parseDouble(losses.get(0).split(",")[2]), last = Double.parseDouble(losses.get(losses.size() - 1).split(",")[2]);
        assertTrue(last < first, "training loss falls from " + first + " to " + last);
    }

    @Test
    void badInputIsOneClearLineAndWritesNothing() throws IOException {
        Path data = smallSplit(8), out = tmp.resolve("never");
        var rank = TrainAndGenerateCommandTest.run(new FinetuneClassifierCommand(), "--data", data.toString(), "--random-init", "--lora-rank", "0", "--out", out.toString());
        assertEquals(2, rank.code());
        assertTrue(rank.err().contains("--lora-rank must be at least 1"), rank.err());
        Files.writeString(data.resolve("train.csv"), "Label,Text\n0,fine\n3,what\n");
        var label = TrainAndGenerateCommandTest.run(new FinetuneClassifierCommand(), "--data", data.toString(), "--random-init", "--model", "custom",
                "--layers", "1", "--heads", "1", "--width", "8", "--out", out.toString());
        assertEquals(2, label.code());
        assertTrue(label.err().contains("train.csv line 3: unknown label '3'"), label.err());
        assertTrue(!Files.exists(out), "nothing written before the inputs are valid");

        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "a small text to pretrain on ".repeat(30));
        Path lm = tmp.resolve("lm");
        assertEquals(0, TrainAndGenerateCommandTest.run(new TrainCommand(), "--data", text.toString(), "--tokenizer", "char", "--model", "custom",
                "--layers", "1", "--heads", "1", "--width", "8", "--context", "8", "--steps", "1", "--eval-every", "0", "--out", lm.toString()).code());
        var notClassifier = TrainAndGenerateCommandTest.run(new ClassifyCommand(), "--checkpoint", lm.toString(), "hello");
        assertEquals(2, notClassifier.code());
        assertTrue(notClassifier.err().contains("is not a classifier"), notClassifier.err());
    }
}
