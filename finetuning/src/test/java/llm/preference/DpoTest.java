package llm.preference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import llm.data.DataLoader;
import llm.gpt.GPTModel;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.pretraining.PretrainedModel;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;

/** The DPO notebook's checks: ln 2 with policy = reference, the masks, and a short run whose margins grow. */
class DpoTest {
    static final Path PREFERENCES = Path.of("../data/instruction-data-with-preference.json");
    static final Path TINY_GPT2 = Path.of("src/test/resources/llm/classification/tiny-gpt2-50257");

    static DataLoader<PreferenceBatch> loader(List<InstructionData.Entry> data, boolean shuffle, SeededRandom rng) {
        return new DataLoader<>(new PreferenceDataset(data, BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, 64, true), 4, shuffle, shuffle, rng);
    }

    @Test
    void policyEqualToReferenceGivesLn2AndNoMargin() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(PREFERENCES, true).subList(0, 8);
        GPTModel policy = PretrainedModel.load(TINY_GPT2).model(), reference = PretrainedModel.load(TINY_GPT2).model();
        double[] r = DpoLoss.computeDpoLossLoader(loader(data, false, null), policy, reference, 0.1, 0);
        assertEquals(Math.log(2), r[0], 1e-6, "the book's 0.6931");
        assertEquals(0, r[1] - r[2], 1e-9, "reward margin 0");
    }

    @Test
    void masksLeaveOutThePromptTwoMoreTokensAndThePadding() {
        var entry = new InstructionData.Entry("Say hi.", "", "Hi.", "Hello there, friend.", "No.");
        PreferenceBatch b = new PreferenceDataset(List.of(entry), BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, -1, true).batch(new int[] {0});
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        int prompt = tok.encode(PromptTemplate.ALPACA.formatInput(entry)).length;
        int chosen = tok.encode(PromptTemplate.ALPACA.formatInput(entry) + PromptTemplate.ALPACA.response(entry.chosen())).length;
        int rejected = tok.encode(PromptTemplate.ALPACA.formatInput(entry) + PromptTemplate.ALPACA.response(entry.rejected())).length;
        int t = b.chosen().dim(1);
        assertEquals(chosen + 1, t, "padded to the longer sequence plus one");
        float[] cm = b.chosenMask().toArray(), rm = b.rejectedMask().toArray();
        for (int p = 0; p < t; p++) {
            assertEquals(p >= prompt + 2 && p < chosen ? 1f : 0f, cm[p], "chosen mask at " + p);
            assertEquals(p >= prompt + 2 && p < rejected ? 1f : 0f, rm[p], "rejected mask at " + p);
        }
        assertEquals(50256, b.rejected().storage()[t - 1]);
        assertArrayEquals(new int[] {1, t}, b.chosenMask().shape());
    }

    @Test
    void aShortRunRaisesTheMarginsAndLowersTheLoss() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(PREFERENCES, true);
        SeededRandom rng = new SeededRandom(123);
        GPTModel policy = PretrainedModel.load(TINY_GPT2).model(), reference = PretrainedModel.load(TINY_GPT2).model();
        policy.train();
        var history = TrainModelDpoSimple.trainModelDpoSimple(policy, reference, loader(data.subList(0, 24), true, rng),
                loader(data.subList(24, 32), false, null), 0.1, 1e-2, 0.01, 2, 11, 1, rng, null, null);
        var first = history.get(0);
        var last = history.get(history.size() - 1);
        assertTrue(last.trainMargin() > first.trainMargin() + 0.3, "training reward margin grows: " + first.trainMargin() + " -> " + last.trainMargin());
        assertTrue(last.trainLoss() < Math.log(2) - 0.01, "training loss falls below ln 2: " + last.trainLoss());
    }
}
