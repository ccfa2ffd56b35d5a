package llm.instruction;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.formats.AtomicFile;
import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.gpt.GPTModel;
import llm.lora.LinearWithLoRA;
import llm.optim.AdamW;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.LanguageModelLoss;
import llm.pretraining.PretrainedModel;
import llm.pretraining.TokenizerSpec;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.Tokenizer;
import llm.training.Checkpoint;
import llm.training.DataParallel;
import llm.training.LossPlot;
import llm.training.Trainer;

/**
 * Instruction fine-tuning (Book §7.5-7.7) as one library call: the data formatted with a template and batched by
 * {@code custom_collate_fn}, the generic {@link Trainer} minimising next-token cross-entropy (padding after the first
 * end-of-text ignored), evaluation every {@code evalEvery} steps and a response to the first validation prompt after
 * each epoch, optional LoRA (exercise 7.4), then the fine-tuned model in {@code checkpoint.safetensors}, the loss
 * plot, and on request the test set's responses in the book's {@code instruction-data-with-response.json} layout.
 */
public final class InstructionRun {
    /**
     * @param epochs          passes over the training data (the book's 2)
     * @param batch           records per batch (8)
     * @param lr              AdamW's learning rate (5e-5)
     * @param weightDecay     AdamW's weight decay (0.1)
     * @param evalEvery       steps between evaluations (5)
     * @param evalBatches     batches per evaluation (5)
     * @param maxLength       the longest sequence kept, or null for the model's context
     * @param template        the prompt style
     * @param maskInstruction ignore the prompt's targets (exercise 7.2)
     * @param loraRank        LoRA's rank on every linear layer, or 0 for full fine-tuning
     * @param loraAlpha       LoRA's alpha
     * @param seed            seed of shuffling, dropout and LoRA's A
     */
    public record Settings(int epochs, int batch, double lr, double weightDecay, int evalEvery, int evalBatches, Integer maxLength,
                           PromptTemplate template, boolean maskInstruction, int loraRank, double loraAlpha, long seed) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("evaluation every " + evalEvery + " steps over " + evalBatches + " batches: both must be >= 0");
            if (maxLength != null && maxLength < 2) throw new IllegalArgumentException("max length must be at least 2, got " + maxLength);
            if (loraRank < 0) throw new IllegalArgumentException("LoRA rank must be at least 1 (or 0 for none), got " + loraRank);
        }

        /** The book's settings: 2 epochs, batch 8, AdamW 5e-5 / 0.1, evaluation every 5 steps over 5 batches, Alpaca prompts. */
        public static Settings book() {
            return new Settings(2, 8, 5e-5, 0.1, 5, 5, null, PromptTemplate.ALPACA, false, 0, 16, 123);
        }
    }

    private final GPTModel model;
    private final Tokenizer tokenizer;
    private final Settings settings;
    private final InstructionData.Splits splits;
    private final DataLoader<Batch> trainLoader, valLoader;
    private final SeededRandom rng;
    private final int context;
    private final int endOfText;
    private final DataParallel parallel;
    private Accelerator accelerator;

    /** Reads {@code data} and prepares {@code base} (LoRA attached when asked); nothing is written yet. */
    public InstructionRun(PretrainedModel base, Path data, Settings s) throws IOException {
        this(base, data, s, DataParallel.SINGLE);
    }

    /** As above, as one of {@code parallel.worldSize()} processes: {@code s.batch()} records per process. */
    public InstructionRun(PretrainedModel base, Path data, Settings s, DataParallel parallel) throws IOException {
        this.parallel = parallel;
        if (!(base.tokenizer() instanceof BytePairTokenizer)) throw new IllegalArgumentException("instruction fine-tuning reads GPT-2 tokens; the base model uses another tokenizer");
        this.model = base.model();
        this.tokenizer = base.tokenizer();
        this.endOfText = base.endOfText();
        this.settings = s;
        List<InstructionData.Entry> records = InstructionData.read(data, false);
        this.splits = InstructionData.split(records);
        this.context = s.maxLength() == null ? model.config().contextLength() : Math.min(s.maxLength(), model.config().contextLength());
        rng = new SeededRandom(s.seed());
        InstructionData.checkPromptsFit(data, records, tokenizer, s.template(), context, 0);
        int global = s.batch() * parallel.worldSize();
        trainLoader = new DataLoader<>(new InstructionDataset(splits.train(), tokenizer, s.template(), s.maskInstruction(), context), global, true, true, rng);
        valLoader = new DataLoader<>(new InstructionDataset(splits.validation(), tokenizer, s.template(), s.maskInstruction(), context), global, false, false, null);
        if (trainLoader.size() == 0) throw new IllegalArgumentException(data + ": " + splits.train().size() + " training records, fewer than one batch of " + s.batch());
        if (s.loraRank() > 0) {
            model.requiresGrad(false);
            LinearWithLoRA.replaceLinearWithLoRA(model, s.loraRank(), s.loraAlpha(), rng);
        } else {
            model.requiresGrad(true);
        }
    }

    public GPTModel model() {
        return model;
    }

    /**
     * Takes every step on {@code accelerator} ({@code --device gpu}): the whole model trains on the device, its
     * batches padded to the context with ignored targets. Refused, before any work, with LoRA (the adapters are not on
     * the device), with dropout (the device would draw its masks over the padded batch, so not the CPU's masks; the
     * book fine-tunes with a rate of 0), and across processes.
     */
    public InstructionRun onDevice(Accelerator accelerator) {
        if (settings.loraRank() > 0) throw new IllegalArgumentException("--device gpu trains every weight; LoRA adapters are not on the device: drop --lora-rank");
        if (model.config().dropRate() != 0f) {
            throw new IllegalArgumentException("--device gpu pads each batch to the context, so it would not drop what the CPU drops: fine-tune with "
                    + "dropout 0 (the base model's rate is " + model.config().dropRate() + ")");
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

    /** Trainable and total parameters (adapters included). */
    public long[] parameterCounts() {
        return new long[] {model.numParameters(), model.totalParameters()};
    }

    /** Trains, then writes {@code checkpoint.safetensors} (LoRA merged) and {@code loss.png} to {@code out}; returns the history. */
    public List<Trainer.Evaluation> run(Path out, Trainer.Listener listener) throws IOException {
        AdamW optimizer = new AdamW(model.namedParameters(), settings.lr(), AdamW.Options.withWeightDecay(settings.weightDecay()));
        Trainer<Batch> trainer = Trainer.builder(model, optimizer, new EpochBatches<>(trainLoader, rng), LanguageModelLoss.of(model))
                .options(Trainer.Options.steps((long) settings.epochs() * trainLoader.size()).evalEvery(settings.evalEvery())
                        .evalBatches(settings.evalBatches()).sampleEvery(trainLoader.size()))
                .evaluateOn(trainLoader, valLoader).random(rng).distributed(parallel, Trainer.BATCH_ROWS).build();
        String samplePrompt = settings.template().formatInput(splits.validation().get(0));
        trainer.sampler(() -> respond(samplePrompt, 35));
        trainer.listener(listener);
        DeviceTrainer device = accelerator == null ? null : accelerator.trainer(model, settings.batch(), context, settings.weightDecay());
        try {
            if (device != null) trainer.engine(DeviceStepEngine.languageModel(device, model, optimizer, context));
            trainer.run();
        } finally {
            if (device != null) device.close();
        }
        if (!trainer.isLeader()) return trainer.history();           // rank 0 writes for the job
        LinearWithLoRA.mergeAll(model);
        model.eval();
        Map<String, String> meta = new LinkedHashMap<>();
        GPTCheckpoints.describe(model, meta);
        TokenizerSpec.GPT2.putInto(meta);
        meta.put("template", settings.template().name().toLowerCase());
        meta.put("step", Long.toString(trainer.stepsDone()));
        Checkpoint.saveWeights(out.resolve(Checkpoint.FILE_NAME), model, meta);
        LossPlot.write(out.resolve("loss.png"), trainer.history(), "Instruction fine-tuning (Book figure 7.17)");
        return trainer.history();
    }

    /** The model's response to {@code prompt}, as {@link #respond(GPTModel, Tokenizer, int, PromptTemplate, int, String, int)} gives it. */
    public String respond(String prompt, int maxNewTokens) {
        return respond(model, tokenizer, endOfText, settings.template(), context, prompt, maxNewTokens);
    }

    /**
     * A model's response to {@code prompt} (the book's {@code response_text}): greedy tokens through the KV cache
     * until {@code endOfText} (which generation does not keep) or {@code maxNewTokens}, the template's response
     * marker removed, stripped.
     */
    public static String respond(GPTModel model, Tokenizer tokenizer, int endOfText, PromptTemplate template, int context, String prompt, int maxNewTokens) {
        int[] ids = tokenizer.encode(prompt);
        int[] out = Generator.generate(model, ids, maxNewTokens, context, new SamplingOptions(0f, 0, 1f, endOfText, 0), id -> {});
        String text = tokenizer.decode(java.util.Arrays.copyOfRange(out, ids.length, out.length));
        return text.replace(template.responseMarker().strip(), "").strip();
    }

    /** Responses to every test record, added as {@code model_response}, written as the book's JSON; returns the file. */
    public Path writeTestResponses(Path out, int maxNewTokens, PrintStream progress) throws IOException {
        JsonArray array = new JsonArray();
        List<InstructionData.Entry> test = splits.test();
        for (int i = 0; i < test.size(); i++) {
            InstructionData.Entry e = test.get(i);
            JsonObject o = new JsonObject();
            o.addProperty("instruction", e.instruction());
            o.addProperty("input", e.input());
            o.addProperty("output", e.output());
            o.addProperty("model_response", respond(settings.template().formatInput(e), maxNewTokens));
            array.add(o);
            if (progress != null && ((i + 1) % 10 == 0 || i + 1 == test.size())) progress.printf("responses: %d/%d%n", i + 1, test.size());
        }
        Path file = out.resolve("instruction-data-with-response.json");
        String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(array);
        AtomicFile.write(file, json.getBytes(StandardCharsets.UTF_8));
        return file;
    }
}
