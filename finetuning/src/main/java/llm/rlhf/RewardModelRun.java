package llm.rlhf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import llm.data.DataLoader;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.formats.AtomicFile;
import llm.instruction.InstructionData;
import llm.instruction.InstructionDataset;
import llm.instruction.PromptTemplate;
import llm.preference.PreferenceBatch;
import llm.preference.PreferenceDataset;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.PretrainedModel;
import llm.pretraining.TokenizerSpec;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.Checkpoint;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * A reward-model run (Book §8.3-8.4) as one library call for {@code ./llm reward-model}: the preference data split
 * 935 / 55 / 110 as in chapter 7, a base GPT with a scalar head, {@link TrainRewardModelSimple}, then the reward
 * model in {@code checkpoint.safetensors} (marked {@code kind = reward-model}), {@code metrics.csv}, and plots of the
 * loss and the pairwise accuracy.
 */
public final class RewardModelRun {
    /**
     * @param lr          AdamW's learning rate (1e-5)
     * @param weightDecay AdamW's weight decay (0.01)
     * @param centerCoef  reward centring's coefficient (0: none; TRL suggests 0.01)
     * @param epochs      passes over the training pairs (1)
     * @param batch       pairs per batch (8)
     * @param evalEvery   steps between evaluations (10)
     * @param evalBatches batches per evaluation (0: all)
     * @param maxLength   the longest sequence kept, or null for the model's context
     * @param seed        seed of the head and the shuffling
     */
    public record Settings(double lr, double weightDecay, double centerCoef, int epochs, int batch, int evalEvery, int evalBatches,
                           Integer maxLength, long seed) {
        public Settings {
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            if (!(centerCoef >= 0)) throw new IllegalArgumentException("centring coefficient must be >= 0, got " + centerCoef);
            if (epochs < 1 || batch < 1) throw new IllegalArgumentException("epochs and batch size must be at least 1, got " + epochs + " and " + batch);
            if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("evaluation settings must be >= 0");
            if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("max length must be at least 2, got " + maxLength);
        }

        public static Settings defaults() {
            return new Settings(1e-5, 0.01, 0, 1, 8, 10, 0, null, 123);
        }
    }

    private final RewardModel model;
    private final PretrainedModel base;
    private final Settings settings;
    private final InstructionData.Splits splits;
    private final DataLoader<PreferenceBatch> trainLoader, valLoader, testLoader;
    private final SeededRandom rng;
    private final int context;
    private Accelerator accelerator;                              // --device gpu: every step on it

    /** Reads the preference data, then loads the base and replaces its head. */
    public RewardModelRun(Path basePath, Path data, Settings s) throws IOException {
        List<InstructionData.Entry> records = InstructionData.read(data, true);   // the data first: a bad file fails before the model loads
        this.splits = InstructionData.split(records);
        this.base = PretrainedModel.load(basePath);
        if (!(base.tokenizer() instanceof BytePairTokenizer)) throw new IllegalArgumentException("the reward model reads GPT-2 tokens; the base model uses another tokenizer");
        this.settings = s;
        this.context = s.maxLength() == null ? base.model().config().contextLength() : Math.min(s.maxLength(), base.model().config().contextLength());
        InstructionData.checkPromptsFit(data, records, base.tokenizer(), PromptTemplate.ALPACA, context, 2);
        this.rng = new SeededRandom(s.seed());
        this.model = RewardModel.fromBase(base.model(), base.endOfText(), rng);
        trainLoader = new DataLoader<>(dataset(splits.train(), context), s.batch(), true, true, rng);
        valLoader = new DataLoader<>(dataset(splits.validation(), context), s.batch(), false, false, null);
        testLoader = new DataLoader<>(dataset(splits.test(), context), s.batch(), false, false, null);
        if (trainLoader.size() == 0) throw new IllegalArgumentException(data + ": fewer training pairs than one batch of " + s.batch());
    }

    private PreferenceDataset dataset(List<InstructionData.Entry> entries, int context) {
        return new PreferenceDataset(entries, base.tokenizer(), PromptTemplate.ALPACA, InstructionDataset.PAD_TOKEN_ID, context, true);
    }

    public InstructionData.Splits splits() {
        return splits;
    }

    public int batchesPerEpoch() {
        return trainLoader.size();
    }

    public RewardModel model() {
        return model;
    }

    /**
     * Takes every step on {@code accelerator} ({@code --device gpu}, {@link RewardDeviceStep}); evaluations, the
     * output and the test are computed on the CPU from the device's weights. Refused, before any work, with dropout:
     * each batch is padded to the context, so the device would not drop what the CPU drops.
     */
    public RewardModelRun onDevice(Accelerator accelerator) {
        if (model.model().config().dropRate() != 0f) {
            throw new IllegalArgumentException("--device gpu pads each batch to the context, so it would not drop what the CPU drops: train the reward model "
                    + "with dropout 0 (the base model's rate is " + model.model().config().dropRate() + ")");
        }
        this.accelerator = accelerator;
        return this;
    }

    /** Trains and writes the output folder; returns the evaluations. */
    public List<TrainRewardModelSimple.Evaluation> run(Path out, PrintStream lines, Trainer.Listener progress) throws IOException {
        List<TrainRewardModelSimple.Evaluation> history;
        DeviceTrainer device = null;
        try {
            if (accelerator != null) {
                model.model().requiresGrad(true);                     // every weight trains (the device reads which do when it is made)
                device = accelerator.trainer(model.model(), 2 * settings.batch(), context, settings.weightDecay());
            }
            DeviceTrainer onDevice = device;
            history = TrainRewardModelSimple.trainRewardModelSimple(model, trainLoader, valLoader, settings.lr(), settings.weightDecay(),
                    settings.centerCoef(), settings.epochs(), settings.evalEvery(), settings.evalBatches(), rng, lines, progress,
                    device == null ? null : optimizer -> new DeviceStepEngine<>(onDevice, model.model(), optimizer,
                            new RewardDeviceStep(model.model(), context, settings.centerCoef())));
        } finally {
            if (device != null) device.close();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        GPTCheckpoints.describe(model.model(), meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put(RewardModel.KIND_KEY, RewardModel.KIND);
        meta.put("template", "alpaca");
        Checkpoint.saveWeights(out.resolve(Checkpoint.FILE_NAME), model.model(), meta);
        StringBuilder csv = new StringBuilder("step,train_loss,val_loss,train_accuracy,val_accuracy,train_margin,val_margin\n");
        List<Double> steps = new ArrayList<>(), trainAcc = new ArrayList<>(), valAcc = new ArrayList<>(), trainLoss = new ArrayList<>(), valLoss = new ArrayList<>();
        for (var e : history) {
            csv.append(String.format("%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", e.step(), e.train().loss(), e.val().loss(), e.train().accuracy(),
                    e.val().accuracy(), e.train().margin(), e.val().margin()));
            steps.add((double) e.step());
            trainAcc.add(e.train().accuracy());
            valAcc.add(e.val().accuracy());
            trainLoss.add(e.train().loss());
            valLoss.add(e.val().loss());
        }
        AtomicFile.write(out.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        LossPlot.writeCurves(out.resolve("loss.png"), "Reward model: Bradley-Terry loss", "Step", "Loss",
                List.of(new LossPlot.Curve("Training loss", steps, trainLoss, false), new LossPlot.Curve("Validation loss", steps, valLoss, true)));
        LossPlot.writeCurves(out.resolve("accuracy.png"), "Reward model: pairwise accuracy", "Step", "Accuracy",
                List.of(new LossPlot.Curve("Training", steps, trainAcc, false), new LossPlot.Curve("Validation", steps, valAcc, true)));
        return history;
    }

    /** Loss, accuracy and margin on the 110 test pairs. */
    public RewardLoss.Stats test() {
        return RewardLoss.computeRewardLossLoader(testLoader, model, settings.centerCoef(), 0);
    }
}
