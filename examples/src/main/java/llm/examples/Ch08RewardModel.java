package llm.examples;

import java.io.IOException;
import java.util.List;

import llm.autograd.Tensor;
import llm.data.DataLoader;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.preference.PreferenceBatch;
import llm.preference.PreferenceDataset;
import llm.rlhf.RewardLoss;
import llm.rlhf.RewardModel;
import llm.rlhf.TrainRewardModelSimple;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/**
 * Book §8.3-8.4, the reward model: a preference pair, the Bradley-Terry loss on numbers worked out by hand, and a
 * small GPT with a scalar head trained on 48 pairs until it ranks them. {@code ./llm reward-model} trains one on the
 * whole file from an instruction-tuned base.
 */
public final class Ch08RewardModel {
    private Ch08RewardModel() {}

    public static void main(String[] args) throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(BookData.path("instruction-data-with-preference.json"), true);
        System.out.println("Number of entries: " + data.size());
        var e = data.get(50);
        System.out.println("instruction: " + e.instruction());
        System.out.println("chosen: " + e.chosen());
        System.out.println("rejected: " + e.rejected());

        // -log σ(r_c - r_r) by hand: d = [2, -1] gives (0.1269 + 1.3133) / 2
        RewardLoss.Result byHand = RewardLoss.computeRewardLoss(Tensor.constant(NDArray.of(new float[] {2, 0}, 2)),
                Tensor.constant(NDArray.of(new float[] {0, 1}, 2)), 0);
        System.out.printf("Bradley-Terry loss for rewards chosen [2, 0], rejected [0, 1]: %.4f, pairwise accuracy %.0f%%, margin %.2f%n",
                byHand.loss().item(), 100 * byHand.accuracy(), byHand.margin());

        SeededRandom rng = new SeededRandom(123);
        GPTModel gpt = new GPTModel(new GPTConfig(50257, 64, 16, 2, 1, 0f, false), true, rng);
        RewardModel rm = RewardModel.fromBase(gpt, 50256, rng);
        System.out.println("reward model: a GPT whose head is Linear(" + gpt.config().embDim() + ", " + gpt.outHead().outFeatures()
                + "), read at the last response token");
        List<InstructionData.Entry> pairs = data.stream().filter(x -> x.instruction().length() < 60 && x.input().isEmpty()).limit(48).toList();
        var dataset = new PreferenceDataset(pairs, BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, 64, true);
        DataLoader<PreferenceBatch> train = new DataLoader<>(dataset, 8, true, true, rng), fixed = new DataLoader<>(dataset, 8, false, false, null);
        RewardLoss.Stats before = RewardLoss.computeRewardLossLoader(fixed, rm, 0, 0);
        System.out.printf("before training: loss %.2f, pairwise accuracy %.0f%%%n", before.loss(), 100 * before.accuracy());
        TrainRewardModelSimple.trainRewardModelSimple(rm, train, fixed, 5e-3, 0, 0, 12, 0, 0, rng, null, null);
        RewardLoss.Stats after = RewardLoss.computeRewardLossLoader(fixed, rm, 0, 0);
        System.out.printf("after 12 epochs on %d pairs: pairwise accuracy %s%n", pairs.size(), after.accuracy() >= 0.8 ? "80% or more" : "below 80%");
    }
}
