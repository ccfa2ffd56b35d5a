package llm.generation;

/**
 * How the next token is chosen (Book §5.3): greedy when {@code temperature} is 0, otherwise sampled from the
 * softmax of {@code logits / temperature} after keeping only the {@code topK} largest (0: all) and the
 * smallest set whose probabilities add up to {@code topP} (1: all). Generation stops early at {@code eosId}
 * (-1: never); {@code seed} makes sampling reproducible.
 */
public record SamplingOptions(float temperature, int topK, float topP, int eosId, long seed) {
    public static final SamplingOptions GREEDY = new SamplingOptions(0f, 0, 1f, -1, 0);

    public SamplingOptions {
        if (temperature < 0 || Float.isNaN(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 keeps all), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }

    public static SamplingOptions sample(float temperature, int topK, float topP, long seed) {
        return new SamplingOptions(temperature, topK, topP, -1, seed);
    }

    public SamplingOptions withEos(int id) {
        return new SamplingOptions(temperature, topK, topP, id, seed);
    }
}
