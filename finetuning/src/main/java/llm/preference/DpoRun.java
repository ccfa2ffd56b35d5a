package llm.preference;

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
import llm.gpt.GPTModel;
import llm.instruction.InstructionData;
import llm.instruction.InstructionDataset;
import llm.instruction.InstructionRun;
import llm.instruction.PromptTemplate;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.PretrainedModel;
import llm.pretraining.TokenizerSpec;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.training.Checkpoint;
import llm.training.DataParallel;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * A DPO run (the book's DPO notebook) as one library call for {@code ./llm dpo}: the preference data split as in
 * chapter 7, the policy and a frozen reference both loaded from the same instruction-tuned checkpoint,
 * {@link TrainModelDpoSimple}, then the policy in {@code checkpoint.safetensors}, {@code metrics.csv} and a plot of
 * the losses and reward margins.
 */
public final class DpoRun {
    /**
     * @param beta        DPO's β (0.1)
     * @param lr          AdamW's learning rate (5e-6)
     * @param weightDecay AdamW's weight decay (0.01)
     * @param epochs      passes over the training pairs (1)
     * @param batch       pairs per batch (8)
     * @param evalEvery   steps between evaluations (5)
     * @param evalBatches batches per evaluation (5)
     * @param maxLength   the longest sequence kept, or null for the model's context
     * @param seed        seed of the shuffling
     */
    public record Settings(double beta, double lr, double weightDecay, int epochs, int batch, int evalEvery, int evalBatches, Integer maxLength, long seed) {
        public Settings {
            if (!(beta > 0)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            if (epochs < 1 || batch < 1) throw new IllegalArgumentException("epochs and batch size must be at least 1, got " + epochs + " and " + batch);
            if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("evaluation settings must be >= 0");
            if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("max length must be at least 2, got " + maxLength);
        }

        /** The book's settings. */
        public static Settings book() {
            return new Settings(0.1, 5e-6, 0.01, 1, 8, 5, 5, null, 123);
        }
    }

    private final PretrainedModel policy, reference;
    private final Settings settings;
    private final InstructionData.Splits splits;
    private final DataLoader<PreferenceBatch> trainLoader, valLoader;
    private final SeededRandom rng;
    private final int context;
    private final DataParallel parallel;
    private Accelerator accelerator;                              // --device gpu: every step on it

    /** Reads the preference data and loads the base twice (policy and reference). */
    public DpoRun(Path base, Path data, Settings s) throws IOException {
        this(base, data, s, DataParallel.SINGLE);
    }

    /** As above, as one of {@code parallel.worldSize()} processes: {@code s.batch()} pairs per process. */
    public DpoRun(Path base, Path data, Settings s, DataParallel parallel) throws IOException {
        this.parallel = parallel;
        List<InstructionData.Entry> records = InstructionData.read(data, true);   // the data first: a bad file fails before any model loads
        this.splits = InstructionData.split(records);
        this.policy = PretrainedModel.load(base);
        this.reference = PretrainedModel.load(base);
        if (!(policy.tokenizer() instanceof BytePairTokenizer)) throw new IllegalArgumentException("DPO here reads GPT-2 tokens; the base model uses another tokenizer");
        this.settings = s;
        this.context = s.maxLength() == null ? policy.model().config().contextLength() : Math.min(s.maxLength(), policy.model().config().contextLength());
        rng = new SeededRandom(s.seed());
        InstructionData.checkPromptsFit(data, records, policy.tokenizer(), PromptTemplate.ALPACA, context, 2);
        trainLoader = new DataLoader<>(dataset(splits.train()), s.batch() * parallel.worldSize(), true, true, rng);
        valLoader = new DataLoader<>(dataset(splits.validation()), s.batch() * parallel.worldSize(), false, false, null);
        if (trainLoader.size() == 0) throw new IllegalArgumentException(data + ": fewer training pairs than one batch of " + s.batch());
    }

    private PreferenceDataset dataset(List<InstructionData.Entry> entries) {
        return new PreferenceDataset(entries, policy.tokenizer(), PromptTemplate.ALPACA, InstructionDataset.PAD_TOKEN_ID, context, true);
    }

    /**
     * Takes every step on {@code accelerator} ({@code --device gpu}, {@link DpoDeviceStep}): the policy trains on the
     * device and the frozen reference's log-probabilities are computed there too; evaluations, the output and the
     * responses are computed on the CPU from the device's weights. Refused, before any work, with dropout (each
     * batch is padded to the context, so the device would not drop what the CPU drops; the book runs DPO with a rate
     * of 0) and across processes.
     */
    public DpoRun onDevice(Accelerator accelerator) {
        if (policy.model().config().dropRate() != 0f) {
            throw new IllegalArgumentException("--device gpu pads each batch to the context, so it would not drop what the CPU drops: run DPO with "
                    + "dropout 0 (the base model's rate is " + policy.model().config().dropRate() + ")");
        }
        if (parallel.worldSize() > 1) throw new IllegalArgumentException("--device gpu trains in one process: drop --distributed");
        this.accelerator = accelerator;
        return this;
    }

    public InstructionData.Splits splits() {
        return splits;
    }

    public int batchesPerEpoch() {
        return trainLoader.size();
    }

    /** Trains the policy and writes the output folder; returns the evaluations. */
    public List<TrainModelDpoSimple.Evaluation> run(Path out, PrintStream lines, Trainer.Listener progress) throws IOException {
        GPTModel model = policy.model();
        model.train();
        model.requiresGrad(true);
        int rows = 2 * settings.batch();                              // the chosen and the rejected responses, one device batch
        DeviceTrainer device = null, frozen = null;
        List<TrainModelDpoSimple.Evaluation> history;
        try {
            if (accelerator != null) {
                reference.model().requiresGrad(false);
                frozen = accelerator.trainer(reference.model(), rows, context, 0);
                device = accelerator.trainer(model, rows, context, settings.weightDecay());
            }
            DeviceTrainer policyDevice = device, referenceDevice = frozen;
            history = TrainModelDpoSimple.trainModelDpoSimple(model, reference.model(), trainLoader, valLoader, settings.beta(), settings.lr(),
                    settings.weightDecay(), settings.epochs(), settings.evalEvery(), settings.evalBatches(), rng, lines, progress, parallel,
                    device == null ? null : optimizer -> new DeviceStepEngine<>(policyDevice, model, optimizer,
                            new DpoDeviceStep(referenceDevice, model, context, settings.beta())));
        } finally {
            if (device != null) device.close();
            if (frozen != null) frozen.close();
        }
        model.eval();
        if (parallel.rank() != 0) return history;                  // rank 0 writes for the job
        Map<String, String> meta = new LinkedHashMap<>();
        GPTCheckpoints.describe(model, meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put("template", "alpaca");
        Checkpoint.saveWeights(out.resolve(Checkpoint.FILE_NAME), model, meta);
        StringBuilder csv = new StringBuilder("step,train_loss,val_loss,train_chosen_reward,train_rejected_reward,val_chosen_reward,val_rejected_reward\n");
        List<Double> steps = new ArrayList<>(), trainMargins = new ArrayList<>(), valMargins = new ArrayList<>(), trainLoss = new ArrayList<>(), valLoss = new ArrayList<>();
        for (var e : history) {
            csv.append(String.format("%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", e.step(), e.trainLoss(), e.valLoss(), e.trainChosen(), e.trainRejected(), e.valChosen(), e.valRejected()));
            steps.add((double) e.step());
            trainMargins.add(e.trainMargin());
            valMargins.add(e.valMargin());
            trainLoss.add(e.trainLoss());
            valLoss.add(e.valLoss());
        }
        AtomicFile.write(out.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        LossPlot.writeCurves(out.resolve("loss.png"), "DPO: loss", "Step", "DPO loss",
                List.of(new LossPlot.Curve("Training loss", steps, trainLoss, false), new LossPlot.Curve("Validation loss", steps, valLoss, true)));
        LossPlot.writeCurves(out.resolve("reward-margins.png"), "DPO: reward margins (chosen - rejected)", "Step", "Reward margin",
                List.of(new LossPlot.Curve("Training", steps, trainMargins, false), new LossPlot.Curve("Validation", steps, valMargins, true)));
        return history;
    }

    /** The reference's and the policy's greedy responses to the first {@code n} test prompts, printed side by side. */
    public void compareResponses(int n, int maxNewTokens, PrintStream out) {
        for (InstructionData.Entry e : splits.test().subList(0, Math.min(n, splits.test().size()))) {
            String prompt = PromptTemplate.ALPACA.formatInput(e);
            out.println(prompt);
            out.println("\nCorrect response:\n>> " + e.output());
            out.println("\nReference model response:\n>> " + respond(reference, prompt, maxNewTokens));
            out.println("\nPolicy model response:\n>> " + respond(policy, prompt, maxNewTokens));
            out.println("\n-------------------------------------\n");
        }
    }

    private String respond(PretrainedModel m, String prompt, int maxNewTokens) {
        return InstructionRun.respond(m.model(), m.tokenizer(), m.endOfText(), PromptTemplate.ALPACA, context, prompt, maxNewTokens);
    }
}
