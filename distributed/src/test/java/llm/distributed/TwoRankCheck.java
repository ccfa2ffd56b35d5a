package llm.distributed;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import llm.autograd.Tensor;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.Optimizer;
import llm.pretraining.LanguageModelLoss;
import llm.tensor.SeededRandom;
import llm.tokenizer.CharTokenizer;
import llm.training.DataParallel;
import llm.training.Trainer;

/**
 * The program {@code DataParallelTest} starts: a small GPT trained on the-verdict with AdamW, no dropout, either as
 * one process reading global batches of {@code 2B} rows ({@code single}), or as one rank of an MPI job reading
 * {@code B} rows of each ({@code mpi}); {@code throw} and {@code die} make rank 1 fail at step 3, by an exception or
 * by halting. Writes each rank's losses and parameters to the output folder, and a checkpoint every step.
 */
public final class TwoRankCheck {
    private TwoRankCheck() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path out = Path.of(args[1]);
        int perRank = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
        if (mode.equals("single")) {
            System.exit(train(DataParallel.SINGLE, out, 2 * perRank, steps, mode));
        }
        if (mode.equals("bad-root")) {                      // an MPI error comes back as an exception; the process lives on
            Mpi mpi = Mpi.init();
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                mpi.broadcast(arena.allocate(4), 1, 7);
            } catch (Mpi.MpiException e) {
                System.out.println("caught: " + e.getMessage());
            }
            mpi.close();
            System.exit(0);
        }
        System.exit(MpiJob.run("check", parallel -> train(parallel, out, perRank * parallel.worldSize(), steps, mode), Throwable::getMessage));
    }

    static int train(DataParallel parallel, Path out, int globalBatch, int steps, String mode) throws IOException {
        String text = Files.readString(Path.of("../data/the-verdict.txt")).substring(0, 6000);
        CharTokenizer tok = CharTokenizer.fromText(text);
        GPTModel model = new GPTModel(new GPTConfig(tok.vocabSize(), 16, 32, 2, 1, 0f, false), false,
                new SeededRandom(parallel.rank() == 0 ? 7 : 99));       // other ranks start elsewhere: the broadcast must fix it
        SeededRandom shuffle = new SeededRandom(5);
        var loader = new DataLoader<>(new GPTDatasetV1(tok.encode(text), 16, 16), globalBatch, true, true, shuffle);
        AdamW opt = new AdamW(model.namedParameters(), 3e-3, AdamW.Options.withWeightDecay(0.1));
        var builder = Trainer.builder(model, opt, new EpochBatches<>(loader, shuffle), LanguageModelLoss.of(model))
                .options(Trainer.Options.steps(steps).clip(1.0).checkpoint(out.resolve("checkpoint.safetensors"), 1));
        if (parallel.worldSize() > 1) builder.distributed(parallel, Trainer.BATCH_ROWS);
        Trainer<Batch> trainer = builder.build();
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            if (s == 2 && parallel.rank() == 1) {
                if (mode.equals("throw")) throw new IllegalStateException("a failure made up by the test");
                if (mode.equals("die")) Runtime.getRuntime().halt(137);
            }
            losses.add(trainer.step());
            if (trainer.isLeader()) trainer.saveCheckpoint();
        }
        String suffix = mode.equals("single") ? "single" : "rank" + parallel.rank();
        Files.writeString(out.resolve("losses-" + suffix + ".txt"), losses.toString());
        try (DataOutputStream d = new DataOutputStream(Files.newOutputStream(out.resolve("params-" + suffix + ".bin")))) {
            for (Tensor p : Optimizer.distinct(model.namedParameters()).values()) for (float v : p.data().contiguous().toArray()) d.writeFloat(v);
        }
        return 0;
    }
}
