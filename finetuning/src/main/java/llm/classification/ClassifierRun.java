package llm.classification;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import llm.data.Batch;
import llm.data.DataLoader;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.formats.AtomicFile;
import llm.gpt.GPTModel;
import llm.lora.LinearWithLoRA;
import llm.lora.LoRAAdapters;
import llm.optim.AdamW;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.PretrainedModel;
import llm.pretraining.TokenizerSpec;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.Checkpoint;
import llm.training.DataParallel;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * A whole classification fine-tuning (Book chapter 6, with Appendix E's LoRA as an option), as one library call
 * that {@code ./llm finetune-classifier} and the examples use: the data and loaders, the head replaced, the model
 * frozen and partly unfrozen (or adapted with LoRA), {@link TrainClassifierSimple}, the accuracies on the three
 * splits, and in the output folder the classifier ({@code checkpoint.safetensors}, LoRA merged), the adapters alone
 * ({@code adapters.safetensors}, with LoRA), {@code metrics.csv}, {@code loss.png} and {@code accuracy.png}.
 */
public final class ClassifierRun {
    /** The accuracies on the three splits, the parameter counts and the time it took. */
    public record Result(double trainAccuracy, double valAccuracy, double testAccuracy, long trainableParameters, long totalParameters,
                         double seconds, TrainClassifierSimple.History history) {}

    private final GPTModel model;
    private final ClassifierSettings settings;
    private final SpamDataset train, validation, test;
    private final DataLoader<Batch> trainLoader, valLoader, testLoader;
    private final SeededRandom rng;
    private final List<String> loraTargets;
    private final DataParallel parallel;
    private Accelerator accelerator;                              // --device gpu: every step on it

    /**
     * Prepares the run: reads {@code data} (a folder with the three CSV files or the raw UCI file) with GPT-2's
     * tokenizer, replaces {@code base}'s head and chooses what trains. Nothing is written yet.
     */
    public ClassifierRun(PretrainedModel base, Path data, ClassifierSettings s) throws IOException {
        this(base, data, s, DataParallel.SINGLE);
    }

    /** As above, as one of {@code parallel.worldSize()} processes: batches of {@code s.batch()} rows per process. */
    public ClassifierRun(PretrainedModel base, Path data, ClassifierSettings s, DataParallel parallel) throws IOException {
        this.parallel = parallel;
        int global = s.batch() * parallel.worldSize();        // each process takes s.batch() rows of every batch
        if (!(base.tokenizer() instanceof BytePairTokenizer)) throw new IllegalArgumentException("the spam classifier reads GPT-2 tokens; the base model uses another tokenizer");
        this.settings = s;
        this.model = base.model();
        SpamData.Splits splits = SpamData.load(data, s.seed());
        train = new SpamDataset(splits.train(), base.tokenizer(), s.maxLength(), SpamDataset.PAD_TOKEN_ID);
        if (train.maxLength() > model.config().contextLength()) {
            throw new IllegalArgumentException("the longest training message has " + train.maxLength() + " tokens, more than the model's context of "
                    + model.config().contextLength() + "; give a max length");
        }
        validation = new SpamDataset(splits.validation(), base.tokenizer(), train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        test = new SpamDataset(splits.test(), base.tokenizer(), train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        rng = new SeededRandom(s.seed());
        trainLoader = new DataLoader<>(train, global, true, true, rng);
        valLoader = new DataLoader<>(validation, global, false, false, null);
        testLoader = new DataLoader<>(test, global, false, false, null);
        SpamClassifier.replaceHead(model, 2, rng);
        if (s.loraRank() > 0) {
            model.requiresGrad(false);                                   // Appendix E: freeze, then adapt every linear layer
            loraTargets = LinearWithLoRA.replaceLinearWithLoRA(model, s.loraRank(), s.loraAlpha(), rng);
        } else {
            s.trainable().apply(model);
            loraTargets = List.of();
        }
        model.train();
    }

    public GPTModel model() {
        return model;
    }

    /**
     * Takes every step on {@code accelerator} ({@code --device gpu}): the parameters that train (the head, and the last
     * blocks and final LayerNorm the trainable choice names) are updated on the device, the frozen ones stay as they
     * are there too, and the accuracies, losses and output are computed on the CPU from the device's weights. Every
     * message is padded to the same length, so the device drops with the base model's rate what the CPU would.
     * Refused, before any work, with LoRA (the adapters are not on the device) and across processes.
     */
    public ClassifierRun onDevice(Accelerator accelerator) {
        if (settings.loraRank() > 0) throw new IllegalArgumentException("--device gpu trains the model's own weights; LoRA adapters are not on the device: drop --lora-rank");
        if (parallel.worldSize() > 1) throw new IllegalArgumentException("--device gpu trains in one process: drop --distributed");
        this.accelerator = accelerator;
        return this;
    }

    public SpamDataset trainDataset() {
        return train;
    }

    /** Batches of the training loader per epoch. */
    public int batchesPerEpoch() {
        return trainLoader.size();
    }

    /** {@code trainable parameters: N of M} (M counted as the book does, adapters included). */
    public long[] parameterCounts() {
        return new long[] {model.numParameters(), model.totalParameters()};
    }

    /** Trains, measures the three accuracies over all their batches, and writes the output folder; null on ranks other than 0. */
    public Result run(Path out, TrainClassifierSimple.Listener listener) throws IOException {
        long[] counts = parameterCounts();
        long started = System.nanoTime();
        AdamW optimizer = new AdamW(model.namedParameters(), settings.lr(), AdamW.Options.withWeightDecay(settings.weightDecay()));
        DeviceTrainer device = accelerator == null ? null : accelerator.trainer(model, settings.batch(), train.maxLength(), settings.weightDecay());
        TrainClassifierSimple.History history;
        try {
            var engine = device == null ? null : DeviceStepEngine.languageModel(device, model, optimizer, train.maxLength(), ClassifierLoss::tokenTargets);
            history = TrainClassifierSimple.trainClassifierSimple(model, trainLoader, valLoader, optimizer, settings.epochs(),
                    settings.evalEvery(), settings.evalBatches(), rng, listener, parallel, engine);
        } finally {
            if (device != null) device.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (parallel.rank() != 0) return null;                   // rank 0 measures and writes for the job
        Result r = new Result(ClassifierLoss.calcAccuracyLoader(model, trainLoader, 0), ClassifierLoss.calcAccuracyLoader(model, valLoader, 0),
                ClassifierLoss.calcAccuracyLoader(model, testLoader, 0), counts[0], counts[1], seconds, history);
        write(out, r);
        return r;
    }

    private void write(Path out, Result r) throws IOException {
        Files.createDirectories(out);
        if (!loraTargets.isEmpty()) {
            LoRAAdapters.save(out.resolve("adapters.safetensors"), model, settings.loraRank(), settings.loraAlpha(), loraTargets);
            LinearWithLoRA.mergeAll(model);                               // the classifier itself: one product per layer
        }
        Map<String, String> meta = new LinkedHashMap<>();
        SpamClassifier.describe(model, train.maxLength(), meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put("step", Long.toString((long) settings.epochs() * trainLoader.size()));
        meta.put("accuracy", String.format("train %.4f, validation %.4f, test %.4f", r.trainAccuracy(), r.valAccuracy(), r.testAccuracy()));
        Checkpoint.saveWeights(out.resolve(Checkpoint.FILE_NAME), model, meta);

        var h = r.history();
        StringBuilder csv = new StringBuilder("kind,index,train,validation\n");
        for (int i = 0; i < h.trainLosses().size(); i++) csv.append(String.format("loss,%d,%.6f,%.6f%n", i, h.trainLosses().get(i), h.valLosses().get(i)));
        for (int i = 0; i < h.trainAccs().size(); i++) csv.append(String.format("accuracy,%d,%.6f,%.6f%n", i + 1, h.trainAccs().get(i), h.valAccs().get(i)));
        csv.append(String.format("final_accuracy,test,%.6f,%.6f%n", r.trainAccuracy(), r.testAccuracy()));
        AtomicFile.write(out.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));

        List<Double> evals = new ArrayList<>(), epochs = new ArrayList<>();
        for (int i = 0; i < h.trainLosses().size(); i++) evals.add((double) i * settings.evalEvery());
        for (int i = 0; i < h.trainAccs().size(); i++) epochs.add(i + 1.0);
        LossPlot.writeCurves(out.resolve("loss.png"), "Classification fine-tuning: loss (Book figure 6.16)", "Step", "Loss",
                List.of(new LossPlot.Curve("Training loss", evals, h.trainLosses(), false), new LossPlot.Curve("Validation loss", evals, h.valLosses(), true)));
        LossPlot.writeCurves(out.resolve("accuracy.png"), "Classification fine-tuning: accuracy (Book figure 6.17)", "Epoch", "Accuracy",
                List.of(new LossPlot.Curve("Training accuracy", epochs, h.trainAccs(), false), new LossPlot.Curve("Validation accuracy", epochs, h.valAccs(), true)));
    }

    /** Prints the book's closing line, {@code Training accuracy: 97.21% | Validation accuracy: 97.32% | Test accuracy: 95.67%}. */
    public static void printAccuracies(Result r, PrintStream out) {
        out.printf("Training accuracy: %.2f%% | Validation accuracy: %.2f%% | Test accuracy: %.2f%%%n",
                100 * r.trainAccuracy(), 100 * r.valAccuracy(), 100 * r.testAccuracy());
    }
}
