package llm.cli;

import llm.gpt.GPTConfig;

/**
 * Everything {@code ./llm train} was asked to do, saved in the checkpoint (as JSON metadata) so that {@code
 * --resume} continues with exactly the same settings and {@code ./llm generate} knows the tokenizer.
 */
record TrainSettings(
        String data, String tokenizer, String alphabet, GPTConfig model, boolean tiedHead,
        int batch, double lr, double minLr, int warmup, double weightDecay, double clip, int accumulate,
        long steps, int evalEvery, int evalBatches, int sampleEvery, String prompt, int sampleTokens,
        int checkpointEvery, double valFraction, long seed) {
}
