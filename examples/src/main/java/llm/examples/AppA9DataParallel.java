package llm.examples;

import java.util.ArrayList;
import java.util.List;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.distributed.ThreadRanks;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.pretraining.LanguageModelLoss;
import llm.tensor.SeededRandom;
import llm.tokenizer.CharTokenizer;
import llm.training.DataParallel;
import llm.training.Trainer;

/**
 * Book appendix A.9, data-parallel training, shown in one process: two ranks (two threads, {@link ThreadRanks}) each
 * train a copy of a small GPT on their half of every global batch of 8 rows and average their gradients, and one
 * process trains on the whole batches. The losses and weights agree: the mean of the halves' gradients is the whole
 * batch's gradient. Over MPI the same runs as {@code mpirun -np 2 ./llm train --distributed ...}.
 */
public final class AppA9DataParallel {
    private AppA9DataParallel() {}

    record Result(double[] losses, GPTModel model) {}

    public static void main(String[] args) throws Exception {
        String text = BookData.read("the-verdict.txt").substring(0, 6000);
        Result single = train(text, DataParallel.SINGLE);
        System.out.printf("1 process, batches of 8 rows:        losses %.4f %.4f %.4f%n", single.losses()[0], single.losses()[1], single.losses()[2]);

        ThreadRanks ranks = new ThreadRanks(2);
        Result[] results = new Result[2];
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            threads.add(Thread.ofPlatform().start(() -> results[rank] = train(text, ranks.rank(rank))));
        }
        for (Thread t : threads) t.join();
        double[] two = results[0].losses();
        System.out.printf("2 ranks, 4 rows each of the same 8: losses %.4f %.4f %.4f%n", two[0], two[1], two[2]);
        double worst = 0;
        for (var e : single.model().namedParameters().entrySet()) {
            float[] a = e.getValue().data().toArray(), b = results[0].model().namedParameters().get(e.getKey()).data().toArray();
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        System.out.println("largest weight difference after 3 steps: " + (worst < 1e-5 ? "below 1e-5" : String.valueOf(worst)));
    }

    /** Three AdamW steps on global batches of 8 rows, as one process or as one rank of several. */
    static Result train(String text, DataParallel parallel) {
        CharTokenizer tok = CharTokenizer.fromText(text);
        // rank 1 starts from other weights on purpose: the broadcast from rank 0 makes them equal
        GPTModel model = new GPTModel(new GPTConfig(tok.vocabSize(), 16, 32, 2, 1, 0f, false), false, new SeededRandom(7 + parallel.rank()));
        SeededRandom shuffle = new SeededRandom(5);                  // the same order of windows on every rank
        var loader = new DataLoader<>(new GPTDatasetV1(tok.encode(text), 16, 16), 8, true, true, shuffle);
        AdamW opt = new AdamW(model.namedParameters(), 3e-3, AdamW.Options.withWeightDecay(0.1));
        var builder = Trainer.builder(model, opt, new EpochBatches<>(loader, shuffle), LanguageModelLoss.of(model)).options(Trainer.Options.steps(3));
        if (parallel.worldSize() > 1) builder.distributed(parallel, Trainer.BATCH_ROWS);
        Trainer<Batch> trainer = builder.build();
        double[] losses = new double[3];
        for (int s = 0; s < 3; s++) losses[s] = trainer.step();
        return new Result(losses, model);
    }
}
