package llm.examples;

import java.io.IOException;
import java.util.List;

import llm.autograd.Tensor;
import llm.data.DataLoader;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.preference.DpoLoss;
import llm.preference.PreferenceBatch;
import llm.preference.PreferenceDataset;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/**
 * The book's DPO notebook, its first checks: a preference batch (chosen and rejected responses with their masks),
 * and the DPO loss of a policy against a reference that is the same model, which must be ln 2 = 0.6931 with reward
 * margins of 0. {@code ./llm dpo} trains.
 */
public final class Ch07DPOFromScratch {
    private Ch07DPOFromScratch() {}

    public static void main(String[] args) throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(BookData.path("instruction-data-with-preference.json"), true);
        System.out.println("Number of entries: " + data.size());
        var e = data.get(50);
        System.out.println("chosen: " + e.chosen());
        System.out.println("rejected: " + e.rejected());
        var loader = new DataLoader<>(new PreferenceDataset(data.subList(0, 4), BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, 1024, true),
                2, false, false, null);
        PreferenceBatch batch = loader.iterator().next();
        System.out.println("chosen batch: " + batch.chosen().dim(0) + " x " + batch.chosen().dim(1) + ", rejected batch: "
                + batch.rejected().dim(0) + " x " + batch.rejected().dim(1));
        GPTConfig narrow = new GPTConfig(50257, 256, 32, 2, 1, 0f, true);
        GPTModel policy = new GPTModel(narrow, true, new SeededRandom(123)), reference = new GPTModel(narrow, true, new SeededRandom(123));
        DpoLoss.Result r = DpoLoss.computeDpoLossBatch(batch, policy, reference, 0.1);
        Tensor loss = r.loss();
        System.out.printf("DPO loss with policy = reference: %.4f (ln 2 = %.4f), reward margin %.4f%n", loss.item(), Math.log(2), r.margin());
    }
}
