package llm.cli;

import java.util.concurrent.Callable;

import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./llm generate}: text from a GPT-2-sized model, streamed token by token (Book §4.7, §5.3). Until
 * checkpoints can be loaded the model has random weights ({@code --random-init}), so the text is gibberish.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text with a GPT model, streaming each token.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "gpt2-small", description = "gpt2-small, gpt2-medium, gpt2-large or gpt2-xl (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--random-init", required = true, description = "Use randomly initialised weights (loading checkpoints comes with the next module).")
    boolean randomInit;

    @Option(names = "--seed", defaultValue = "123", description = "Seed for the weights and for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prompt", defaultValue = "Every effort moves you", description = "The start of the text (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "20", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy decoding, else the softmax temperature (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample only from the k most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Sample only from the most likely tokens whose probabilities add up to p (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--context", description = "Context length (default: the model's, 1024).")
    Integer context;

    @Override
    public Integer call() {
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be >= 0, got " + maxNewTokens);
        GPTConfig cfg = GPTConfig.named(model);
        if (context != null) cfg = cfg.withContextLength(context);
        BytePairTokenizer tokenizer = BytePairTokenizer.gpt2();
        SamplingOptions options = new SamplingOptions(temperature, topK, topP, tokenizer.specialId(BytePairTokenizer.END_OF_TEXT), seed);
        System.err.printf("building %s with random weights (%,d parameters)...%n", model, cfg.parameterCount(false));
        GPTModel gpt = new GPTModel(cfg, false, new SeededRandom(seed));
        gpt.eval();
        int[] ids = tokenizer.encode(prompt);
        System.out.print(prompt);
        System.out.flush();
        long start = System.nanoTime();
        int[] out = Generator.generate(gpt, ids, maxNewTokens, cfg.contextLength(), options, id -> {
            System.out.print(tokenizer.decode(new int[] {id}));
            System.out.flush();
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println();
        int generated = out.length - ids.length;
        System.err.printf("%d tokens in %.2f s (%.1f tokens/s)%n", generated, seconds, generated / seconds);
        return 0;
    }
}
