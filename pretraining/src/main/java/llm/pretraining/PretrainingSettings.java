package llm.pretraining;

import llm.gpt.GPTConfig;

/**
 * Everything a pretraining run is asked to do (Book chapter 5 with Appendix D's additions), saved in its checkpoint
 * as JSON so that a resume continues with exactly the same settings. The compact constructor rejects impossible
 * values, naming the setting and the value. Build one with {@link #builder}, which starts from the book's chapter 5
 * settings:
 *
 * {@snippet :
 * PretrainingSettings s = PretrainingSettings.builder("data/the-verdict.txt", TokenizerSpec.GPT2, GPTConfig.GPT2_SMALL.withContextLength(256))
 *         .epochs(10).batch(2).learningRate(4e-4).weightDecay(0.1).evaluation(5, 5)
 *         .build();
 * }
 *
 * @param data             a UTF-8 text file, or a folder of token shards made by {@code ./llm prepare}
 * @param tokenizer        the tokenizer of a text file (shards bring their own)
 * @param model            the GPT's configuration
 * @param tiedHead         share the token embedding with the output head (GPT-2's choice)
 * @param batch            sequences per micro-batch
 * @param lr               peak learning rate
 * @param initialLr        learning rate at the first warmup step (Appendix D's {@code initial_lr}); null: {@code lr / warmup}
 * @param minLr            learning rate at the end of the cosine decay ({@code lr}: no decay)
 * @param warmup           linear warmup steps
 * @param weightDecay      AdamW's decoupled weight decay
 * @param clip             largest global gradient norm, 0 for none
 * @param clipDuringWarmup clip from the first step; Appendix D clips only after the warmup ({@code global_step > warmup_steps})
 * @param accumulate       micro-batches per optimiser step
 * @param steps            optimiser steps (0 when {@code epochs} is given)
 * @param epochs           passes over a text file (0 when {@code steps} is given)
 * @param evalEvery        steps between evaluations, 0 for none
 * @param evalBatches      batches per evaluation
 * @param sampleEvery      steps between samples; -1 for once per epoch (or every tenth of the steps)
 * @param prompt           start of the samples, or null for the text's first token
 * @param sampleTokens     tokens per sample
 * @param checkpointEvery  steps between checkpoints, 0 for the end only
 * @param valFraction      share of a text file kept for validation (the book's 0.1)
 * @param seed             seed of the weights, dropout and shuffling
 */
public record PretrainingSettings(
        String data, TokenizerSpec tokenizer, GPTConfig model, boolean tiedHead,
        int batch, double lr, Double initialLr, double minLr, int warmup, double weightDecay, double clip, boolean clipDuringWarmup,
        int accumulate, long steps, int epochs, int evalEvery, int evalBatches, int sampleEvery, String prompt, int sampleTokens,
        int checkpointEvery, double valFraction, long seed) {

    public PretrainingSettings {
        if (data == null) throw new IllegalArgumentException("pretraining needs data (a text file or a shard folder)");
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (initialLr != null && !(initialLr >= 0)) throw new IllegalArgumentException("initial learning rate must be >= 0, got " + initialLr);
        if (!(minLr >= 0)) throw new IllegalArgumentException("minimum learning rate must be >= 0, got " + minLr);
        if (warmup < 0) throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmup);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(clip >= 0)) throw new IllegalArgumentException("gradient clipping norm must be >= 0, got " + clip);
        if (accumulate < 1) throw new IllegalArgumentException("micro-batches per step must be at least 1, got " + accumulate);
        if (steps < 0 || epochs < 0 || (steps == 0) == (epochs == 0)) {
            throw new IllegalArgumentException("give a positive number of steps or of epochs, not both (steps " + steps + ", epochs " + epochs + ")");
        }
        if (evalEvery < 0) throw new IllegalArgumentException("steps between evaluations must be >= 0, got " + evalEvery);
        if (evalBatches < 0) throw new IllegalArgumentException("batches per evaluation must be >= 0, got " + evalBatches);
        if (sampleEvery < -1) throw new IllegalArgumentException("steps between samples must be >= 0, got " + sampleEvery);
        if (sampleTokens < 0) throw new IllegalArgumentException("tokens per sample must be >= 0, got " + sampleTokens);
        if (checkpointEvery < 0) throw new IllegalArgumentException("steps between checkpoints must be >= 0, got " + checkpointEvery);
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
    }

    /** The same settings reading another data path (a resumed run whose corpus moved). */
    /** The same settings with {@code n} rows per batch (data-parallel training reads global batches of ranks × batch). */
    public PretrainingSettings withBatch(int n) {
        return new PretrainingSettings(data, tokenizer, model, tiedHead, n, lr, initialLr, minLr, warmup, weightDecay, clip, clipDuringWarmup,
                accumulate, steps, epochs, evalEvery, evalBatches, sampleEvery, prompt, sampleTokens, checkpointEvery, valFraction, seed);
    }

    public PretrainingSettings withData(String path) {
        return new PretrainingSettings(path, tokenizer, model, tiedHead, batch, lr, initialLr, minLr, warmup, weightDecay, clip, clipDuringWarmup,
                accumulate, steps, epochs, evalEvery, evalBatches, sampleEvery, prompt, sampleTokens, checkpointEvery, valFraction, seed);
    }

    /**
     * A builder with the book's chapter 5 settings (batch 2, AdamW lr 4e-4 and weight decay 0.1, 10 epochs,
     * evaluation every 5 steps over 5 batches, a sample of 50 tokens each epoch, 90/10 split, seed 123; no warmup,
     * decay, clipping or accumulation).
     */
    public static Builder builder(String data, TokenizerSpec tokenizer, GPTConfig model) {
        return new Builder(data, tokenizer, model);
    }

    /** Settings by name, each starting at the book's value; {@link #build} checks them all. */
    public static final class Builder {
        private final String data;
        private final TokenizerSpec tokenizer;
        private final GPTConfig model;
        private boolean tiedHead, clipDuringWarmup;
        private int batch = 2, warmup, accumulate = 1, epochs = 10, evalEvery = 5, evalBatches = 5, sampleEvery = -1, sampleTokens = 50, checkpointEvery;
        private double lr = 4e-4, minLr = Double.NaN, weightDecay = 0.1, clip, valFraction = 0.1;
        private Double initialLr;
        private long steps, seed = 123;
        private String prompt;

        private Builder(String data, TokenizerSpec tokenizer, GPTConfig model) {
            this.data = data;
            this.tokenizer = tokenizer;
            this.model = model;
        }

        public Builder tiedHead(boolean on) { tiedHead = on; return this; }
        public Builder batch(int n) { batch = n; return this; }
        /** Peak learning rate; also the minimum unless {@link #cosineTo} sets one. */
        public Builder learningRate(double peak) { lr = peak; return this; }
        /** Warmup steps from {@code initial} (null: peak / steps) to the peak (Appendix D.1). */
        public Builder warmup(int stepsOfWarmup, Double initial) { warmup = stepsOfWarmup; initialLr = initial; return this; }
        /** Cosine decay to {@code min} at the last step (Appendix D.2). */
        public Builder cosineTo(double min) { minLr = min; return this; }
        public Builder weightDecay(double w) { weightDecay = w; return this; }
        /** Gradient clipping to {@code maxNorm} (Appendix D.3), after the warmup unless {@code duringWarmup}. */
        public Builder clip(double maxNorm, boolean duringWarmup) { clip = maxNorm; clipDuringWarmup = duringWarmup; return this; }
        public Builder accumulate(int microBatches) { accumulate = microBatches; return this; }
        /** Train for a number of optimiser steps instead of epochs. */
        public Builder steps(long n) { steps = n; epochs = 0; return this; }
        /** Train for a number of passes over a text file instead of steps. */
        public Builder epochs(int n) { epochs = n; steps = 0; return this; }
        /** Evaluate every {@code every} steps (0: never) over {@code batches} batches of each split. */
        public Builder evaluation(int every, int batches) { evalEvery = every; evalBatches = batches; return this; }
        /** A sample of {@code tokens} tokens after {@code prompt} (null: the text's first token) every {@code every} steps (-1: each epoch). */
        public Builder samples(int every, String start, int tokens) { sampleEvery = every; prompt = start; sampleTokens = tokens; return this; }
        public Builder checkpointEvery(int n) { checkpointEvery = n; return this; }
        public Builder valFraction(double f) { valFraction = f; return this; }
        public Builder seed(long s) { seed = s; return this; }

        public PretrainingSettings build() {
            return new PretrainingSettings(data, tokenizer, model, tiedHead, batch, lr, initialLr, Double.isNaN(minLr) ? lr : minLr, warmup,
                    weightDecay, clip, clipDuringWarmup, accumulate, steps, epochs, evalEvery, evalBatches, sampleEvery, prompt, sampleTokens,
                    checkpointEvery, valFraction, seed);
        }
    }
}
