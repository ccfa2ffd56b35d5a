package llm.course;

import llm.autograd.Tensor;
import llm.autograd.fused.CrossEntropy;
import llm.nn.Embedding;
import llm.nn.Module;
import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * The freeCodeCamp course's first language model: a table of {@code (V, V)} numbers where row {@code i} holds
 * the logits of the token that follows token {@code i}. No context beyond the current token: a baseline that
 * every later model must beat.
 *
 * {@snippet :
 * var bigram = new BigramLanguageModel(65, new SeededRandom(1337));
 * Tensor loss = bigram.loss(inputs, targets);   // about ln(65) = 4.17 before training
 * }
 */
public final class BigramLanguageModel extends Module {
    private final Embedding table; // (V, V)

    public BigramLanguageModel(int vocabSize, SeededRandom rng) {
        table = registerModule("token_embedding_table", new Embedding(vocabSize, vocabSize, rng));
    }

    /** Ids {@code (B, T)} to next-token logits {@code (B, T, V)}. */
    public Tensor forward(IntNDArray ids) {
        return table.forward(ids);
    }

    /** Cross-entropy of the predictions against {@code targets (B, T)}. */
    public Tensor loss(IntNDArray ids, IntNDArray targets) {
        return CrossEntropy.apply(forward(ids), targets);
    }
}
