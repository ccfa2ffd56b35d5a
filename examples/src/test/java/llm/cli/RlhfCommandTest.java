package llm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./llm reward-model} then {@code ./llm ppo} end to end on short preference records and the narrow
 * full-vocabulary GPT-2 (context 64): lines, files, a resume that continues the iterations, and the one-line errors.
 */
class RlhfCommandTest {
    static final String TINY = "../finetuning/src/test/resources/llm/classification/tiny-gpt2-50257";

    @TempDir
    Path tmp;

    @Test
    void rewardModelThenPpoThenResume() throws IOException {
        JsonArray all = JsonParser.parseString(Files.readString(Path.of("../data/instruction-data-with-preference.json"))).getAsJsonArray();
        JsonArray some = new JsonArray();
        for (int i = 0; i < all.size() && some.size() < 40; i++) {
            JsonObject o = all.get(i).getAsJsonObject();
            // short prompts only: the fixture reads 64 tokens, prompt and response together
            if (o.get("instruction").getAsString().length() < 50 && o.get("input").getAsString().isEmpty()) some.add(o);
        }
        Path data = tmp.resolve("prefs.json"), rm = tmp.resolve("rm"), ppo = tmp.resolve("ppo");
        Files.writeString(data, some.toString());

        var r = TrainAndGenerateCommandTest.run(new RewardModelCommand(), "--data", data.toString(), "--base", TINY, "--batch", "4",
                "--lr", "1e-3", "--eval-every", "4", "--out", rm.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Ep 1 (Step 000000): Train loss "), r.out());
        assertTrue(r.out().contains("test pairs: loss "), r.out());
        for (String f : new String[] {"checkpoint.safetensors", "metrics.csv", "loss.png", "accuracy.png"}) assertTrue(Files.size(rm.resolve(f)) > 0, f);

        String[] ppoArgs = {"--policy", TINY, "--reward-model", rm.toString(), "--prompts", data.toString(), "--iterations", "2",
                "--rollout-batch", "4", "--minibatch", "2", "--ppo-epochs", "1", "--max-new-tokens", "6", "--checkpoint-every", "1",
                "--sample-every", "1", "--eval-prompts", "2", "--lr", "1e-3", "--out", ppo.toString()};
        var p = TrainAndGenerateCommandTest.run(new PpoCommand(), ppoArgs);
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("iter   1/2  reward ") && p.out().contains("iter   2/2  reward "), p.out());
        assertTrue(p.out().contains("held-out prompts: mean reward") && p.out().contains("sample after iteration 1:"), p.out());
        for (String f : new String[] {"checkpoint.safetensors", "ppo-state.safetensors", "metrics.csv", "ppo.png"}) assertTrue(Files.size(ppo.resolve(f)) > 0, f);
        assertEquals(3, Files.readAllLines(ppo.resolve("metrics.csv")).size(), "a header and two iterations");

        var again = TrainAndGenerateCommandTest.run(new PpoCommand(), ppoArgs);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a run; add --resume"), again.err());

        var resumed = TrainAndGenerateCommandTest.run(new PpoCommand(), "--resume", "--iterations", "3", "--out", ppo.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming") && resumed.out().contains("iter   3/3") && !resumed.out().contains("iter   1/3"), resumed.out());
        assertEquals(4, Files.readAllLines(ppo.resolve("metrics.csv")).size(), "the resumed run keeps the first two iterations");

        // the generated policy loads as a plain GPT for generate and chat
        var chat = TrainAndGenerateCommandTest.run(new ChatCommand(), "--checkpoint", ppo.toString(), "--prompt", "Say hi.", "--max-new-tokens", "3");
        assertEquals(0, chat.code(), chat.err());

        // LoRA: the policy is its own reference; the adapters are merged into the saved policy; --compare adds a model's answers
        Path lora = tmp.resolve("ppo-lora");
        var l = TrainAndGenerateCommandTest.run(new PpoCommand(), "--policy", TINY, "--reward-model", rm.toString(), "--prompts", data.toString(),
                "--iterations", "1", "--rollout-batch", "4", "--minibatch", "2", "--ppo-epochs", "1", "--max-new-tokens", "6", "--eval-prompts", "2",
                "--lora-rank", "2", "--compare", ppo.toString(), "--out", lora.toString());
        assertEquals(0, l.code(), l.err());
        assertTrue(l.out().contains("held-out prompts: mean reward") && l.out().contains("from " + ppo), l.out());
        assertEquals(0, TrainAndGenerateCommandTest.run(new ChatCommand(), "--checkpoint", lora.toString(), "--prompt", "Say hi.", "--max-new-tokens", "3").code());
    }

    @Test
    void mismatchedInputsGetOneLineErrors() throws IOException {
        JsonArray all = JsonParser.parseString(Files.readString(Path.of("../data/instruction-data.json"))).getAsJsonArray();
        JsonArray some = new JsonArray();
        for (int i = 0; i < 20; i++) some.add(all.get(i));
        Path prompts = tmp.resolve("prompts.json");
        Files.writeString(prompts, some.toString());
        // a language model given as the reward model
        var notRm = TrainAndGenerateCommandTest.run(new PpoCommand(), "--policy", TINY, "--reward-model", TINY, "--prompts", prompts.toString(),
                "--out", tmp.resolve("a").toString());
        assertEquals(2, notRm.code());
        assertTrue(notRm.err().contains("is not a training checkpoint") || notRm.err().contains("is not a reward model"), notRm.err());
        var missing = TrainAndGenerateCommandTest.run(new PpoCommand(), "--out", tmp.resolve("b").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("a new run needs --policy, --reward-model and --prompts"), missing.err());
        var noResume = TrainAndGenerateCommandTest.run(new PpoCommand(), "--resume", "--out", tmp.resolve("c").toString());
        assertEquals(2, noResume.code());
        assertTrue(noResume.err().contains("holds no ppo-state.safetensors"), noResume.err());
        var badMinibatch = TrainAndGenerateCommandTest.run(new PpoCommand(), "--policy", TINY, "--reward-model", TINY, "--prompts", prompts.toString(),
                "--rollout-batch", "8", "--minibatch", "3", "--out", tmp.resolve("d").toString());
        assertEquals(2, badMinibatch.code());
        assertTrue(badMinibatch.err().contains("minibatch must divide the rollout batch 8, got 3"), badMinibatch.err());
    }
}
