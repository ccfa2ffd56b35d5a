package llm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import llm.autograd.Grad;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.LanguageModelLoss;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.Checkpoint;
import llm.training.Trainer;

/**
 * Book §5.4, "Loading and saving model weights": a few training steps, a checkpoint with the model and the
 * AdamW state ({@code torch.save({"model_state_dict": ..., "optimizer_state_dict": ...})} in the book; here one
 * safetensors file that also holds the step, the generators and the data position), the model loaded back with
 * identical logits, and a resumed run whose next losses equal those of the run that never stopped.
 */
public final class Ch05SaveAndLoadWeights {
    private Ch05SaveAndLoadWeights() {}

    static Trainer<Batch> trainer(int[] ids, Path checkpoint) {
        GPTConfig cfg = new GPTConfig(50257, 32, 64, 2, 2, 0.1f, false);
        SeededRandom rng = new SeededRandom(123);
        GPTModel model = new GPTModel(cfg, false, rng);
        DataLoader<Batch> loader = new DataLoader<>(new GPTDatasetV1(ids, 32, 32), 4, true, true, rng);
        Trainer.Options options = Trainer.Options.steps(8);
        if (checkpoint != null) options = options.checkpoint(checkpoint, 4);
        Trainer<Batch> trainer = Trainer.builder(model, new AdamW(model.namedParameters(), 1e-3, AdamW.Options.withWeightDecay(0.1)),
                        new EpochBatches<>(loader, rng), LanguageModelLoss.of(model))
                .options(options).random(rng).build();
        GPTCheckpoints.describe(model, trainer.extraMetadata());   // so that the checkpoint can rebuild the GPT
        return trainer;
    }

    public static void main(String[] args) throws IOException {
        int[] ids = BytePairTokenizer.gpt2().encode(BookData.read("the-verdict.txt"));
        Path dir = Files.createTempDirectory("ch05");
        Path file = dir.resolve(Checkpoint.FILE_NAME);

        Trainer<Batch> straight = trainer(ids, null);
        double[] straightLosses = new double[8];
        for (int s = 0; s < 8; s++) straightLosses[s] = straight.step();

        Trainer<Batch> first = trainer(ids, file);
        first.runUntil(4);                               // saves at step 4
        System.out.printf("saved %s: %,d bytes%n", file.getFileName(), Files.size(file));

        GPTModel loaded = GPTCheckpoints.loadModel(file);
        IntNDArray probe = IntNDArray.of(Arrays.copyOf(ids, 32), 1, 32);
        GPTModel trained = (GPTModel) first.model();
        trained.eval();
        try (var off = Grad.off()) {
            float[] a = trained.forward(probe).data().toArray(), b = loaded.forward(probe).data().toArray();
            System.out.println("loaded model gives identical logits: " + Arrays.equals(a, b));
        }

        Trainer<Batch> resumed = trainer(ids, file);
        Checkpoint.restore(file, resumed);
        System.out.println("resumed at step " + resumed.stepsDone());
        for (int s = 4; s < 8; s++) {
            double loss = resumed.step();
            System.out.printf("step %d: resumed %.6f, uninterrupted %.6f, identical: %s%n", s + 1, loss, straightLosses[s], loss == straightLosses[s]);
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

}
