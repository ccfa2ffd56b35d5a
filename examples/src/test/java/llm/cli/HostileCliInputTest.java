package llm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import llm.training.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flags and files that used to give weak messages (issue 17, items 13 and 15): each now gets one line naming what is wrong. */
class HostileCliInputTest {
    @TempDir
    Path tmp;

    @Test
    void escapeSequencesInAQuotedNameAreShownNotObeyed() {
        String name = tmp.resolve("\u001b[31mred\u0007").toString();
        var r = TrainAndGenerateCommandTest.run(new TrainCommand(), "--data", name, "--out", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertFalse(r.err().contains("\u001b") || r.err().contains("\u0007"), "no raw control characters: " + r.err());
        assertTrue(r.err().contains("\\u001b[31mred\\u0007"), r.err());
    }

    @Test
    void devicesWithoutAnSdkSaysHowToInstallOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TORNADOVM_HOME") == null, "an SDK is installed here");
        var r = TrainAndGenerateCommandTest.run(new DevicesCommand());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no TornadoVM SDK (TORNADOVM_HOME is not set); install one"), r.err());
    }

    @Test
    void deviceGpuWithoutTheModuleSaysHowToGetItBeforeAnyWork() {
        // the examples' tests never have module gpu-tornado on their class path
        var gen = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--random-init", "--model", "gpt2-xl", "--device", "gpu");
        assertEquals(2, gen.code());
        assertTrue(gen.err().contains("--device gpu needs a TornadoVM SDK: install one"), gen.err());
        assertFalse(gen.err().contains("building gpt2-xl"), "refused before building 1.5 billion parameters: " + gen.err());
        var train = TrainAndGenerateCommandTest.run(new TrainCommand(), "--data", "no-such-file", "--out", tmp.resolve("o").toString(), "--device", "gpu");
        assertEquals(2, train.code());
        assertTrue(train.err().contains("--device gpu needs a TornadoVM SDK"), train.err());
        var tpu = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--random-init", "--device", "tpu");
        assertEquals(2, tpu.code());
        assertTrue(tpu.err().contains("--device must be cpu or gpu, got 'tpu'"), tpu.err());
        // fp16 is the GPU decoder's alone (what a device reads is checked by the device: gpu-tornado's tests)
        var fp16OnCpu = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--random-init", "--model", "gpt2-xl", "--weights", "fp16");
        assertEquals(2, fp16OnCpu.code());
        assertTrue(fp16OnCpu.err().contains("--weights fp16 is for the GPU decoder (--device gpu); on the CPU: fp32, bf16 or int8"), fp16OnCpu.err());
        assertFalse(fp16OnCpu.err().contains("building gpt2-xl"), fp16OnCpu.err());
    }

    @Test
    void anUnexpectedExceptionSaysItIsOurBugWithItsType() {
        assertEquals("internal error (NegativeArraySizeException: -2147483648); please report it with the command that caused it",
                Main.describe(new NegativeArraySizeException("-2147483648")));
        assertEquals("/x/y: No such device", Main.describe(new java.nio.file.FileSystemException("/x/y", null, "No such device")));
    }

    @Test
    void samplingAndContextFlagsAreCheckedBeforeAnyModelLoads() {
        // before: "--context -1" gave "negative size in shape (1, 4, -1, 32)", "--context 0" an IndexOutOfBoundsException,
        // and the sampling flags were checked only after a model of gigabytes had loaded
        String[][] cases = {{"--context", "-1", "--context must be at least 1, got -1"}, {"--context", "0", "--context must be at least 1, got 0"},
                {"--top-k", "-1", "--top-k must be >= 0"}, {"--top-p", "0", "--top-p must be in (0, 1]"}, {"--temperature", "-1", "--temperature must be >= 0"}};
        for (String[] c : cases) {
            var r = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--checkpoint", tmp.resolve("no-such-model").toString(), c[0], c[1]);
            assertEquals(2, r.code());
            assertTrue(r.err().contains(c[2]), r.err());
        }
    }

    @Test
    void theLargestMaxNewTokensMeansUntilEndOfText() {
        // before: prompt + Integer.MAX_VALUE overflowed the array size, and the user read "llm generate: -2147483648"
        GPTModel model = new GPTModel(new GPTConfig(10, 16, 8, 2, 1, 0f, false), false, new SeededRandom(1));
        int[] prompt = {1, 2, 3};
        int first = Generator.generateTextSimple(model, prompt, 1, 16)[3];
        int[] out = Generator.generate(model, prompt, Integer.MAX_VALUE, 16, SamplingOptions.GREEDY.withEos(first), id -> {});
        assertArrayEquals(prompt, out, "stops at end-of-text at once");
    }

    @Test
    void aCheckpointWithABrokenConfigurationOrNumberIsNamed() throws IOException {
        GPTModel model = new GPTModel(new GPTConfig(10, 16, 8, 2, 1, 0f, false), false, new SeededRandom(1));
        Path file = tmp.resolve("broken.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", "{\"vocabSize\":10,\"contextLength\":16,\"embDim\":8,\"nHeads\":2,\"nLayers\":-1,\"dropRate\":0.0,\"qkvBias\":false}");
        meta.put("tied_head", "false");
        meta.put("tokenizer", "gpt2");
        Checkpoint.saveWeights(file, model, meta);
        var r = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--checkpoint", file.toString(), "--prompt", "a");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(file + ": its 'config' metadata is not a GPT configuration") && !r.err().contains("Failed to invoke"), r.err());

        meta.put("config", "{\"vocabSize\":10,\"contextLength\":16,\"embDim\":8,\"nHeads\":2,\"nLayers\":1,\"dropRate\":0.0,\"qkvBias\":false}");
        meta.put("head_classes", "abc");
        Checkpoint.saveWeights(file, model, meta);
        r = TrainAndGenerateCommandTest.run(new GenerateCommand(), "--checkpoint", file.toString(), "--prompt", "a");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("metadata 'head_classes' is 'abc', not a whole number") && !r.err().contains("For input string"), r.err());
    }
}
