package llm.classification;

/**
 * How a classification fine-tuning runs (Book §6.7, Appendix E). {@link #book()} gives the book's values: AdamW
 * lr 5e-5 and weight decay 0.1, 5 epochs of batches of 8, evaluation every 50 steps over 5 batches, the last
 * block trained, texts padded to the longest training text, no LoRA.
 *
 * @param epochs      passes over the training data
 * @param batch       messages per batch
 * @param lr          AdamW's learning rate
 * @param weightDecay AdamW's weight decay
 * @param evalEvery   steps between loss evaluations (0: none)
 * @param evalBatches batches per evaluation and per accuracy estimate after each epoch
 * @param maxLength   the padded length, or null for the longest training message
 * @param trainable   which parts train ({@link Trainable})
 * @param loraRank    LoRA's rank, or 0 for none (then {@code trainable} applies)
 * @param loraAlpha   LoRA's alpha
 * @param seed        seed of the new head, LoRA's A, dropout and shuffling
 */
public record ClassifierSettings(int epochs, int batch, double lr, double weightDecay, int evalEvery, int evalBatches, Integer maxLength,
                                 Trainable trainable, int loraRank, double loraAlpha, long seed) {
    public ClassifierSettings {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("evaluation every " + evalEvery + " steps over " + evalBatches + " batches: both must be >= 0");
        if (maxLength != null && maxLength < 1) throw new IllegalArgumentException("max length must be at least 1, got " + maxLength);
        if (loraRank < 0) throw new IllegalArgumentException("LoRA rank must be at least 1 (or 0 for none), got " + loraRank);
        if (loraRank > 0 && !(loraAlpha > 0)) throw new IllegalArgumentException("LoRA alpha must be > 0, got " + loraAlpha);
    }

    /** The book's settings. */
    public static ClassifierSettings book() {
        return new ClassifierSettings(5, 8, 5e-5, 0.1, 50, 5, null, Trainable.LAST_BLOCK, 0, 16, 123);
    }
}
