package llm.cli;

import llm.generation.SamplingOptions;
import picocli.CommandLine.Option;

/** The decoding flags of Book §5.3 that {@code generate} and {@code chat} share: temperature, top-k and top-p. */
final class SamplingFlags {
    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy decoding, else the softmax temperature (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample only from the k most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Sample only from the most likely tokens whose probabilities add up to p (default: ${DEFAULT-VALUE}).")
    float topP;

    /** Checks the flags before any model loads; the error names the flag. */
    void check() {
        if (temperature < 0 || Float.isNaN(temperature)) throw new IllegalArgumentException("--temperature must be >= 0 (0: greedy), got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0 (0 keeps all), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
    }

    /** The options with the model's stop token and the sampling seed. */
    SamplingOptions options(int eosId, long seed) {
        return new SamplingOptions(temperature, topK, topP, eosId, seed);
    }
}
