package llm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import llm.data.Batch;
import llm.data.BatchStream;
import llm.data.ConcatenatedTokens;
import llm.data.DataLoader;
import llm.data.EpochBatches;
import llm.data.GPTDatasetV1;
import llm.data.RandomBatches;
import llm.data.Utf8Text;
import llm.generation.Generator;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.optim.AdamW;
import llm.optim.LearningRateSchedule;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.CharTokenizer;
import llm.tokenizer.Tokenizer;
import llm.training.Checkpoint;
import llm.training.LossPlot;
import llm.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./llm train}: pretraining (Book chapter 5, Appendix D, the course) on a text file or on prepared token
 * shards, with a progress bar, the book's evaluation lines, samples, checkpoints and a loss plot.
 *
 * <p>A text file is split by characters into training and validation text (the book's 90/10), cut into windows
 * of {@code --context} tokens with stride {@code --context}, and read in shuffled passes ({@code --epochs}). A
 * folder of shards from {@code ./llm prepare} is read in random windows ({@code --steps} required), as the
 * course's {@code get_batch}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrain a GPT on a text file or on token shards made by 'prepare'; writes checkpoint.safetensors and loss.png to --out.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", description = "A UTF-8 text file, or a folder of shards from './llm prepare'.")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, loss.png.")
    Path out;

    @Option(names = "--resume", description = "Continue the run saved in --out with its saved settings (other options are ignored).")
    boolean resume;

    @Option(names = "--tokenizer", defaultValue = "gpt2", description = "gpt2 or char, for a text file (default: ${DEFAULT-VALUE}); shards bring their own.")
    String tokenizer;

    @Option(names = "--model", defaultValue = "gpt2-small", description = "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, or custom with --layers/--heads/--width (default: ${DEFAULT-VALUE}).")
    String modelName;

    @Option(names = "--layers", description = "Transformer blocks (custom model).")
    Integer layers;

    @Option(names = "--heads", description = "Attention heads (custom model).")
    Integer heads;

    @Option(names = "--width", description = "Embedding width (custom model).")
    Integer width;

    @Option(names = "--context", defaultValue = "256", description = "Context length in tokens (default: ${DEFAULT-VALUE}, the book's).")
    int context;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout rate (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--qkv-bias", description = "Give the query, key and value projections a bias.")
    boolean qkvBias;

    @Option(names = "--tie", description = "Tie the output head to the token embedding (GPT-2's choice; the book's model does not).")
    boolean tie;

    @Option(names = "--batch", defaultValue = "2", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "4e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine decay (default: --lr, no decay).")
    Double minLr;

    @Option(names = "--warmup", defaultValue = "0", description = "Linear warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "0", description = "Clip the global gradient norm to this; 0 for none (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--accumulate", defaultValue = "1", description = "Micro-batches per optimiser step (default: ${DEFAULT-VALUE}).")
    int accumulate;

    @Option(names = "--epochs", description = "Passes over a text file (default 10, the book's).")
    Integer epochs;

    @Option(names = "--steps", description = "Optimiser steps (instead of --epochs; required for shards).")
    Long steps;

    @Option(names = "--eval-every", defaultValue = "5", description = "Steps between evaluations (default: ${DEFAULT-VALUE}, the book's eval_freq).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}, the book's eval_iter).")
    int evalBatches;

    @Option(names = "--sample-every", description = "Steps between samples (default: once per epoch, or every 10% of the steps).")
    Integer sampleEvery;

    @Option(names = "--prompt", description = "Start of the samples (default: \"Every effort moves you\" for gpt2, the text's first character for char).")
    String prompt;

    @Option(names = "--sample-tokens", defaultValue = "50", description = "Tokens per sample (default: ${DEFAULT-VALUE}).")
    int sampleTokens;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Steps between checkpoints; 0 saves at the end only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "Share of a text file kept for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the weights, dropout and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    private static final Gson GSON = new Gson();

    @Override
    public Integer call() throws IOException {
        Path checkpoint = out.resolve(Checkpoint.FILE_NAME);
        TrainSettings settings;
        if (resume) {
            if (!Files.isRegularFile(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint at " + checkpoint);
            String saved = Checkpoint.metadata(checkpoint).get("train_settings");
            if (saved == null) throw new IllegalArgumentException("--resume: " + checkpoint + " was not written by './llm train'");
            settings = GSON.fromJson(saved, TrainSettings.class);
            if (data != null) settings = settings.withData(data.toString());
        } else {
            if (data == null) throw new IllegalArgumentException("--data is required (a text file or a shard folder)");
            settings = settingsFromOptions();
        }
        return run(settings, checkpoint, resume);
    }

    /** The settings the options describe; text is read here to know the vocabulary of a char tokenizer. */
    private TrainSettings settingsFromOptions() throws IOException {
        if (!Files.exists(data)) throw new IllegalArgumentException("--data: no such file or folder: " + data);
        String tok = tokenizer, alphabet = null;
        int vocab;
        if (Files.isDirectory(data)) {
            JsonObject info = shardTokenizer(data);
            tok = info.get("tokenizer").getAsString();
            alphabet = info.has("alphabet") && !info.get("alphabet").isJsonNull() ? info.get("alphabet").getAsString() : null;
            vocab = info.get("vocabSize").getAsInt();
            if (steps == null) throw new IllegalArgumentException("--steps is required when --data is a shard folder (random windows have no epochs)");
        } else if (tok.equals("gpt2")) {
            vocab = 50257;
        } else if (tok.equals("char")) {
            CharTokenizer chars = CharTokenizer.fromText(Utf8Text.read(data, false));
            alphabet = chars.alphabet();
            vocab = chars.vocabSize();
        } else {
            throw new IllegalArgumentException("--tokenizer must be gpt2 or char, got '" + tok + "'");
        }
        GPTConfig config;
        if (modelName.equals("custom")) {
            if (layers == null || heads == null || width == null) throw new IllegalArgumentException("--model custom needs --layers, --heads and --width");
            config = new GPTConfig(vocab, context, width, heads, layers, dropout, qkvBias);
        } else {
            GPTConfig preset = GPTConfig.named(modelName);
            config = new GPTConfig(vocab, context, preset.embDim(), preset.nHeads(), preset.nLayers(), dropout, qkvBias);
        }
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        if (epochs != null && steps != null) throw new IllegalArgumentException("give --epochs or --steps, not both");
        if (epochs != null && epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        String start = prompt != null ? prompt : tok.equals("gpt2") ? "Every effort moves you" : null;
        long totalSteps = steps != null ? steps : -(epochs == null ? 10 : epochs); // negative: epochs, resolved once the data is cut
        int sample = sampleEvery == null ? -1 : sampleEvery;
        return new TrainSettings(data.toString(), tok, alphabet, config, tie, batch, lr, minLr == null ? lr : minLr, warmup, weightDecay,
                clip, accumulate, totalSteps, evalEvery, evalBatches, sample, start, sampleTokens, checkpointEvery, valFraction, seed);
    }

    static JsonObject shardTokenizer(Path dir) throws IOException {
        Path info = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(info)) throw new IllegalArgumentException("shard folder " + dir + " has no tokenizer.json (made by './llm prepare')");
        return JsonParser.parseString(Files.readString(info)).getAsJsonObject();
    }

    /** The tokenizer a run (or a checkpoint's settings) uses. */
    static Tokenizer tokenizerOf(String name, String alphabet) {
        if (name.equals("gpt2")) return BytePairTokenizer.gpt2();
        if (name.equals("char")) return new CharTokenizer(alphabet.codePoints().toArray());
        throw new IllegalArgumentException("unknown tokenizer '" + name + "'");
    }

    /** The data of a run: the batch stream, the fixed evaluation batches, and the passes' length (0 for shards). */
    private record RunData(BatchStream stream, Iterable<Batch> trainEval, Iterable<Batch> valEval, int batchesPerEpoch, String summary) {}

    private static RunData load(TrainSettings s, Tokenizer tok) throws IOException {
        Path path = Path.of(s.data());
        int context = s.model().contextLength();
        SeededRandom dataRng = new SeededRandom(s.seed() + 1);
        if (Files.isDirectory(path)) {
            ConcatenatedTokens train = ConcatenatedTokens.shards(path, "train");
            ConcatenatedTokens val = null;
            try {
                val = ConcatenatedTokens.shards(path, "val");
            } catch (IllegalArgumentException noValidation) {
                // a corpus prepared with --val-fraction 0 has no validation shards
            }
            RandomBatches stream = new RandomBatches(train, s.batch(), context, dataRng);
            // evaluation batches are drawn once, from their own generator, so every evaluation sees the same ones
            List<Batch> trainEval = fixedBatches(train, s, 17), valEval = val == null ? null : fixedBatches(val, s, 19);
            return new RunData(stream, trainEval, valEval, 0, String.format("%,d training and %,d validation tokens in shards", train.size(), val == null ? 0 : val.size()));
        }
        String text = Utf8Text.read(path, false);
        int split = (int) ((1 - s.valFraction()) * text.length());
        int[] trainIds = tok.encode(text.substring(0, split)), valIds = tok.encode(text.substring(split));
        if (trainIds.length <= context) {
            throw new IllegalArgumentException("the training text has " + trainIds.length + " tokens, too few for one window of --context " + context);
        }
        GPTDatasetV1 trainSet = new GPTDatasetV1(trainIds, context, context);
        GPTDatasetV1 valSet = valIds.length > context ? new GPTDatasetV1(valIds, context, context) : null;
        DataLoader loader = new DataLoader(trainSet, s.batch(), true, true, dataRng);
        if (loader.size() == 0) {
            throw new IllegalArgumentException("the training text gives " + trainSet.size() + " windows of " + context + " tokens, fewer than one --batch of " + s.batch());
        }
        return new RunData(new EpochBatches(loader, dataRng), new DataLoader(trainSet, s.batch(), false, true, null),
                valSet == null ? null : new DataLoader(valSet, s.batch(), false, false, null), loader.size(),
                String.format("%,d training tokens (%d windows, %d batches per epoch), %,d validation tokens (%d windows)",
                        trainIds.length, trainSet.size(), loader.size(), valIds.length, valSet == null ? 0 : valSet.size()));
    }

    private static List<Batch> fixedBatches(ConcatenatedTokens tokens, TrainSettings s, long salt) {
        RandomBatches r = new RandomBatches(tokens, s.batch(), s.model().contextLength(), new SeededRandom(s.seed() + salt));
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < Math.max(1, s.evalBatches()); i++) out.add(r.next());
        return out;
    }

    static int run(TrainSettings s, Path checkpoint, boolean resume) throws IOException {
        Tokenizer tok = tokenizerOf(s.tokenizer(), s.alphabet());
        RunData runData = load(s, tok);
        long totalSteps = s.steps() > 0 ? s.steps() : Math.max(1, -s.steps() * runData.batchesPerEpoch() / s.accumulate());
        int sampleEvery = s.sampleEvery() >= 0 ? s.sampleEvery()
                : runData.batchesPerEpoch() > 0 ? Math.max(1, runData.batchesPerEpoch() / s.accumulate()) : (int) Math.max(1, totalSteps / 10);
        GPTModel model = new GPTModel(s.model(), s.tiedHead(), new SeededRandom(s.seed()));
        AdamW optimizer = new AdamW(model.namedParameters(), s.lr(), AdamW.Options.withWeightDecay(s.weightDecay()));
        LearningRateSchedule schedule = s.warmup() > 0 || s.minLr() != s.lr()
                ? LearningRateSchedule.warmupCosine(s.lr(), s.minLr(), Math.min(s.warmup(), totalSteps), totalSteps)
                : LearningRateSchedule.constant(s.lr());
        Trainer.Options options = new Trainer.Options(totalSteps, s.accumulate(), s.clip(), s.evalEvery(), s.evalBatches(), sampleEvery,
                s.checkpointEvery(), checkpoint);
        Trainer trainer = new Trainer(model, optimizer, schedule, runData.stream(), runData.trainEval(), runData.valEval(), options);
        trainer.extraMetadata().put("train_settings", GSON.toJson(s.withSteps(totalSteps, sampleEvery)));
        trainer.extraMetadata().put("tokenizer", s.tokenizer());
        if (s.alphabet() != null) trainer.extraMetadata().put("alphabet", s.alphabet());

        String start = s.prompt() != null ? s.prompt() : tok.decode(new int[] {runDataFirstToken(runData)});
        int[] startIds = tok.encode(start);
        trainer.sampler(m -> tok.decode(Generator.generateTextSimple(m, startIds, s.sampleTokens(), s.model().contextLength())));
        Path plot = checkpoint.resolveSibling("loss.png");
        TrainingProgress progress = new TrainingProgress(System.out, runData.batchesPerEpoch() / s.accumulate());
        trainer.listener(new Trainer.Listener() {
            @Override public void onStep(Trainer.StepReport r) { progress.onStep(r); }
            @Override public void onEvaluation(Trainer.Evaluation e) { progress.onEvaluation(e); }
            @Override public void onSample(long step, String text) { progress.onSample(step, text); }
            @Override public void onCheckpoint(Path file, long step) {
                progress.onCheckpoint(file, step);
                try {
                    LossPlot.write(plot, trainer.history(), "GPT training: " + Path.of(s.data()).getFileName());
                } catch (IOException e) {
                    System.err.println("could not write the loss plot " + plot + ": " + e.getMessage());
                }
            }
        });
        if (resume) {
            Checkpoint.restore(checkpoint, trainer);
            System.out.printf("resuming %s at step %d of %d%n", checkpoint, trainer.stepsDone(), totalSteps);
        }
        System.out.printf("model: %d layers, %d heads, width %d, context %d, vocabulary %,d, %,d parameters (%s tokenizer)%n",
                s.model().nLayers(), s.model().nHeads(), s.model().embDim(), s.model().contextLength(), s.model().vocabSize(),
                model.numParameters(), s.tokenizer());
        System.out.println("data: " + runData.summary());
        System.out.printf("training: %,d steps of %d x %d tokens%s, AdamW lr %.1e%s, weight decay %.2f%s, %d threads%n", totalSteps,
                s.batch() * s.accumulate(), s.model().contextLength(), s.accumulate() > 1 ? " (" + s.accumulate() + " micro-batches)" : "",
                s.lr(), s.warmup() > 0 || s.minLr() != s.lr() ? String.format(" (warmup %d, cosine to %.1e)", s.warmup(), s.minLr()) : "",
                s.weightDecay(), s.clip() > 0 ? ", clip " + s.clip() : "", llm.tensor.Parallelism.DEFAULT.threads());
        long started = System.nanoTime();
        long tokensBefore = trainer.tokensSeen();
        trainer.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("done: %,d steps, %,d tokens in %s (%,.0f tokens/s)%n", trainer.stepsDone(), trainer.tokensSeen() - tokensBefore,
                TrainingProgress.clock(seconds), (trainer.tokensSeen() - tokensBefore) / Math.max(seconds, 1e-9));
        System.out.println("wrote " + checkpoint + " and " + plot);
        return 0;
    }

    private static int runDataFirstToken(RunData d) {
        Batch b = d.trainEval().iterator().next();
        return b.inputs().storage()[0];
    }
}
