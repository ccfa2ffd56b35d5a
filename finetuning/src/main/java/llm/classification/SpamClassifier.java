package llm.classification;

import java.util.Arrays;
import java.util.Map;

import llm.autograd.Grad;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.pretraining.GPTCheckpoints;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;
import llm.tokenizer.Tokenizer;

/**
 * A GPT turned into a spam classifier (Book §6.5, §6.8): the output head replaced by a 2-class linear layer, and
 * {@code classify_review}, which pads a text as the training data was padded and reads the last token's logits.
 */
public final class SpamClassifier {
    /** Label names by class index: 0 is ham ("not spam"), 1 is spam. */
    public static final String[] LABELS = {"not spam", "spam"};
    /** Checkpoint metadata: the length texts are padded to (the head's size is {@link GPTCheckpoints#HEAD_CLASSES_KEY}). */
    public static final String MAX_LENGTH_KEY = "classifier_max_length";

    private SpamClassifier() {}

    /** Replaces the head with {@code Linear(emb_dim, numClasses)} with a bias, as the book's {@code model.out_head = ...}. */
    public static void replaceHead(GPTModel model, int numClasses, SeededRandom rng) {
        model.replaceOutputHead(new Linear(model.config().embDim(), numClasses, true, rng));
    }

    /** What a classifier checkpoint records: the GPT's configuration, its head's size, the padded length. */
    public static void describe(GPTModel model, int maxLength, Map<String, String> meta) {
        GPTCheckpoints.describe(model, meta);
        meta.put(MAX_LENGTH_KEY, Integer.toString(maxLength));
    }

    /** A label and the probability the classifier gives to spam. */
    public record Prediction(String label, double spamProbability) {}

    /**
     * {@code classify_review}: the text's ids cut to {@code maxLength} (and to the context length), padded with
     * {@code padTokenId}, the last position's logits, the larger one's label.
     */
    public static Prediction classifyReview(String text, GPTModel model, Tokenizer tokenizer, int maxLength, int padTokenId) {
        int[] ids = tokenizer.encode(text);
        int length = Math.min(maxLength, model.config().contextLength());
        int[] padded = Arrays.copyOf(ids, length);
        Arrays.fill(padded, Math.min(ids.length, length), length, padTokenId);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var off = Grad.off()) {
            NDArray logits = model.forward(IntNDArray.of(padded, 1, length)).data();  // (1, T, 2)
            NDArray last = logits.narrow(1, length - 1, 1).contiguous().view(1, logits.dim(2)).softmax(1);
            float[] p = last.toArray();
            int best = p[1] > p[0] ? 1 : 0;
            return new Prediction(LABELS[best], p[1]);
        } finally {
            if (wasTraining) model.train();
        }
    }
}
