package llm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import llm.generation.Decoder;
import llm.generation.Generator;
import llm.generation.MatVecDecoder;
import llm.generation.ModelDecoder;
import llm.generation.Perplexity;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.pretraining.PretrainedModel;
import llm.tensor.Parallelism;
import llm.tensor.WeightFormat;
import llm.tokenizer.Tokenizer;

/**
 * Generation at batch 1 with a KV cache, a bench main (not a test): tokens/s of the model's own cached forward pass
 * and of {@link MatVecDecoder} with fp32, bf16 and int8 weights, alternated round by round, against the memory read
 * bandwidth measured in the same run; whether bf16 and int8 pick the same greedy tokens as fp32 on the book's
 * prompts; and, with a text, each format's loss and perplexity on it. Threads: {@code -Dllm.threads=N}.
 *
 * {@snippet :
 * # GPT-2 124M with random weights: speed only
 * java --add-modules jdk.incubator.vector -Xmx6g -Dllm.threads=2 -cp benchmarks/target/benchmarks.jar llm.bench.GenerationBench
 * # a checkpoint (./llm train --out DIR, or GPT-2's model.safetensors) and a text for the perplexities
 * java ... llm.bench.GenerationBench --checkpoint DIR --text data/the-verdict.txt
 * }
 */
public final class GenerationBench {
    private static final String[] PROMPTS = {"Every effort moves you", "Hello, I am", "I HAD always thought Jack Gisburn"};

    private GenerationBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) flags.put(args[i], args[i + 1]);
        int tokens = Integer.parseInt(flags.getOrDefault("--tokens", "128"));
        int rounds = Integer.parseInt(flags.getOrDefault("--rounds", "3"));
        PretrainedModel loaded = flags.containsKey("--checkpoint")
                ? PretrainedModel.load(Path.of(flags.get("--checkpoint")))
                : PretrainedModel.randomInit(GPTConfig.GPT2_SMALL, 123);
        GPTModel model = loaded.model();
        model.eval();
        int threads = Parallelism.DEFAULT.threads(), window = model.config().contextLength();
        System.out.printf("threads: %d, model: %s%n", threads, loaded.description());
        ReadBandwidth probe = new ReadBandwidth(threads);
        System.out.printf("memory read bandwidth: %.1f GB/s (a parallel sum over 512 MB, best of 10 passes; probed again each round)%n%n",
                probe.measure());

        Map<String, Decoder> decoders = new LinkedHashMap<>();
        decoders.put("GPTModel.forwardCached (fp32)", new ModelDecoder(model, window));
        for (WeightFormat f : WeightFormat.values()) decoders.put("MatVecDecoder " + f, new MatVecDecoder(model, window, f));
        Map<String, List<Double>> speed = new LinkedHashMap<>();
        decoders.keySet().forEach(k -> speed.put(k, new ArrayList<>()));
        List<String> names = new ArrayList<>(decoders.keySet());
        int[] prompt = loaded.tokenizer().encode(PROMPTS[0]);
        for (String name : names) for (int w = 0; w < 2; w++) tokensPerSecond(decoders.get(name), prompt, Math.min(tokens, 32)); // JIT warm-up
        for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(names);
            if (r % 2 == 1) java.util.Collections.reverse(order);     // alternate, so drift does not favour one
            for (String name : order) speed.get(name).add(tokensPerSecond(decoders.get(name), prompt, tokens));
            probe.measure();
        }
        double bandwidth = probe.best();
        System.out.printf("generation, batch 1, %d tokens after a %d-token prompt, %d rounds; bandwidth: best of %d probes, %.1f GB/s:%n",
                tokens, prompt.length, rounds, rounds + 1, bandwidth);
        System.out.println("| decoder | weights read per token | tokens/s, median (min-max) | GB/s | of bandwidth | vs MatVecDecoder fp32 |");
        System.out.println("|---|---|---|---|---|---|");
        double fp32 = median(speed.get("MatVecDecoder fp32"));
        for (String name : names) {
            double bytes = decoders.get(name) instanceof MatVecDecoder m ? m.weightBytesPerToken()
                    : ((MatVecDecoder) decoders.get("MatVecDecoder fp32")).weightBytesPerToken();
            List<Double> s = speed.get(name);
            double med = median(s);
            System.out.printf("| %s | %.0f MB | %.1f (%.1f-%.1f) | %.1f | %.2f | %.2fx |%n", name, bytes / 1e6, med, min(s), max(s),
                    med * bytes / 1e9, med * bytes / 1e9 / bandwidth, med / fp32);
        }

        System.out.printf("%ngreedy tokens (50 after each prompt) against MatVecDecoder fp32:%n");
        Tokenizer tok = loaded.tokenizer();
        for (String text : PROMPTS) {
            int[] ids = tok.encode(text);
            int[] reference = Generator.generate(decoders.get("MatVecDecoder fp32"), ids, 50, SamplingOptions.GREEDY, id -> {});
            StringBuilder line = new StringBuilder("  \"" + text + "\":");
            for (String name : names) {
                if (name.equals("MatVecDecoder fp32")) continue;
                int[] out = Generator.generate(decoders.get(name), ids, 50, SamplingOptions.GREEDY, id -> {});
                int first = Arrays.mismatch(reference, out);
                line.append(String.format("  %s %s;", name.replace("MatVecDecoder ", ""), first < 0 ? "identical" : "differs from token " + (first - ids.length + 1)));
            }
            System.out.println(line);
            System.out.println("    fp32: " + tok.decode(Arrays.copyOfRange(reference, ids.length, reference.length)).replace("\n", "\\n"));
        }

        if (flags.containsKey("--text")) {
            int[] text = tok.encode(Files.readString(Path.of(flags.get("--text"))));
            System.out.printf("%nloss on %s (%,d tokens, windows of %d as the book's loader cuts them):%n", flags.get("--text"), text.length, window);
            for (String name : names) {
                if (name.startsWith("GPTModel")) continue;
                long start = System.nanoTime();
                Perplexity.Result p = Perplexity.of(decoders.get(name), text, window);
                System.out.printf("  %s: loss %.4f, perplexity %.3f over %,d tokens (%.0f s)%n", name, p.loss(), p.perplexity(), p.tokens(),
                        (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** Tokens/s of greedy generation after the prefill (the first token's time is the prompt's). */
    static double tokensPerSecond(Decoder decoder, int[] prompt, int tokens) {
        long[] stamps = new long[tokens + 1];
        int[] count = {0};
        Generator.generate(decoder, prompt, tokens, SamplingOptions.GREEDY, id -> stamps[++count[0]] = System.nanoTime());
        return (tokens - 1) / ((stamps[tokens] - stamps[1]) / 1e9);
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
