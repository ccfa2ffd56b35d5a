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

    /** The same settings reading another data path (a resumed run whose corpus moved). */
    TrainSettings withData(String path) {
        return new TrainSettings(path, tokenizer, alphabet, model, tiedHead, batch, lr, minLr, warmup, weightDecay, clip, accumulate,
                steps, evalEvery, evalBatches, sampleEvery, prompt, sampleTokens, checkpointEvery, valFraction, seed);
    }

    /** The same settings with the step counts resolved from the data (epochs become steps), as a checkpoint saves them. */
    TrainSettings withSteps(long totalSteps, int sampleEveryResolved) {
        return new TrainSettings(data, tokenizer, alphabet, model, tiedHead, batch, lr, minLr, warmup, weightDecay, clip, accumulate,
                totalSteps, evalEvery, evalBatches, sampleEveryResolved, prompt, sampleTokens, checkpointEvery, valFraction, seed);
    }
}
