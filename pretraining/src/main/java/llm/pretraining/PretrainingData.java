package llm.pretraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
import llm.tensor.SeededRandom;
import llm.tokenizer.CharTokenizer;
import llm.tokenizer.Tokenizer;

/**
 * The data of a pretraining run (Book §2.6 and §5.1.3, the course's {@code get_batch}): the stream of training
 * batches, the fixed batches evaluations average over, and the length of a pass.
 * <ul>
 * <li>A text file is split by characters into training and validation text (the book's 90/10), cut into windows
 * of the context length with that stride ({@link GPTDatasetV1}), and read in shuffled passes ({@link
 * EpochBatches}); evaluation reads the windows in order.
 * <li>A folder of shards from {@code ./llm prepare} is read in random windows ({@link RandomBatches}); a fixed
 * set of random windows, drawn once, is what each evaluation sees.
 * </ul>
 *
 * @param stream          training batches, endless, with a position a checkpoint saves
 * @param trainEval       batches of training data to evaluate on, in a fixed order
 * @param valEval         batches of validation data, or null when there are none
 * @param batchesPerEpoch batches in one pass over a text file; 0 for shards (no epochs)
 * @param firstToken      the first token of the first evaluation batch (the default start of samples)
 * @param summary         one line saying how much data there is
 */
public record PretrainingData(BatchStream<Batch> stream, Iterable<Batch> trainEval, Iterable<Batch> valEval, int batchesPerEpoch,
                              int firstToken, String summary) {

    /** Salts of the generators that draw the fixed evaluation windows from shards. */
    private static final long TRAIN_EVAL_SALT = 17, VAL_EVAL_SALT = 19;

    /** Reads the run's data; errors name the file and what is too small. */
    public static PretrainingData load(PretrainingSettings s, Tokenizer tok) throws IOException {
        Path path = Path.of(s.data());
        int context = s.model().contextLength();
        SeededRandom dataRng = new SeededRandom(s.seed() + 1);
        if (Files.isDirectory(path)) {
            ConcatenatedTokens train = ConcatenatedTokens.shards(path, "train");
            ConcatenatedTokens val = null;
            try {
                val = ConcatenatedTokens.shards(path, "val");
            } catch (IllegalArgumentException noValidation) {
                // a corpus prepared with a validation fraction of 0 has no validation shards
            }
            RandomBatches stream = new RandomBatches(train, s.batch(), context, dataRng);
            List<Batch> trainEval = fixedBatches(train, s, TRAIN_EVAL_SALT), valEval = val == null ? null : fixedBatches(val, s, VAL_EVAL_SALT);
            return new PretrainingData(stream, trainEval, valEval, 0, trainEval.get(0).inputs().storage()[0],
                    String.format("%,d training and %,d validation tokens in shards", train.size(), val == null ? 0 : val.size()));
        }
        String text = Utf8Text.read(path, false);
        int split = (int) ((1 - s.valFraction()) * text.length());
        int[] trainIds = tok.encode(text.substring(0, split)), valIds = tok.encode(text.substring(split));
        if (trainIds.length <= context) {
            throw new IllegalArgumentException(path + ": the training text has " + trainIds.length + " tokens, too few for one window of " + context);
        }
        GPTDatasetV1 trainSet = new GPTDatasetV1(trainIds, context, context);
        GPTDatasetV1 valSet = valIds.length > context ? new GPTDatasetV1(valIds, context, context) : null;
        DataLoader<Batch> loader = new DataLoader<>(trainSet, s.batch(), true, true, dataRng);
        if (loader.size() == 0) {
            throw new IllegalArgumentException(path + ": the training text gives " + trainSet.size() + " windows of " + context
                    + " tokens, fewer than one batch of " + s.batch());
        }
        return new PretrainingData(new EpochBatches<>(loader, dataRng), new DataLoader<>(trainSet, s.batch(), false, true, null),
                valSet == null ? null : new DataLoader<>(valSet, s.batch(), false, false, null), loader.size(), trainIds[0],
                String.format("%,d training tokens (%d windows, %d batches per epoch), %,d validation tokens (%d windows)",
                        trainIds.length, trainSet.size(), loader.size(), valIds.length, valSet == null ? 0 : valSet.size()));
    }

    /** The tokenizer a shard folder was made with ({@code tokenizer.json}, written by {@code ./llm prepare}). */
    public static TokenizerSpec shardTokenizer(Path dir) throws IOException {
        Path info = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(info)) throw new IllegalArgumentException("shard folder " + dir + " has no tokenizer.json (made by './llm prepare')");
        JsonObject o = JsonParser.parseString(Files.readString(info)).getAsJsonObject();
        String alphabet = o.has("alphabet") && !o.get("alphabet").isJsonNull() ? o.get("alphabet").getAsString() : null;
        // prepare gives char shards an end-of-text id one past the alphabet (its vocabulary is the alphabet plus one)
        boolean endOfText = alphabet != null && o.has("vocabSize") && o.get("vocabSize").getAsInt() == alphabet.codePointCount(0, alphabet.length()) + 1;
        return new TokenizerSpec(o.get("tokenizer").getAsString(), alphabet, endOfText);
    }

    /** The vocabulary a text file needs with the tokenizer named {@code name}: GPT-2's, or the file's own characters. */
    public static TokenizerSpec textTokenizer(Path file, String name) throws IOException {
        if (name.equals("char")) return new TokenizerSpec("char", CharTokenizer.fromText(Utf8Text.read(file, false)).alphabet());
        return new TokenizerSpec(name, null);
    }

    private static List<Batch> fixedBatches(ConcatenatedTokens tokens, PretrainingSettings s, long salt) {
        RandomBatches r = new RandomBatches(tokens, s.batch(), s.model().contextLength(), new SeededRandom(s.seed() + salt));
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < Math.max(1, s.evalBatches()); i++) out.add(r.next());
        return out;
    }
}
