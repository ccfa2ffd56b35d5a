package llm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

import llm.device.Accelerator;
import llm.generation.Decoder;
import llm.generation.Generator;
import llm.generation.MatVecDecoder;
import llm.generation.SamplingOptions;
import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.pretraining.PretrainedModel;
import llm.tensor.WeightFormat;
import llm.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./llm generate}: text from a GPT model, streamed token by token (Book §4.7, §5.3, §5.5). The model is
 * a checkpoint written by {@code ./llm train} (its tokenizer comes with it), OpenAI's GPT-2 weights as Hugging
 * Face publishes them ({@code model.safetensors} or {@code pytorch_model.bin}, or a folder holding one) or a
 * book-style {@code .pth}, or random weights ({@code --random-init}).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text with a GPT model (a training checkpoint, GPT-2 weights, or random weights), streaming each token.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", description = "A folder or file: checkpoint.safetensors from 'train', GPT-2 model.safetensors / pytorch_model.bin, or a book .pth.")
    Path checkpoint;

    @Option(names = "--random-init", description = "Use randomly initialised weights of --model instead of a checkpoint.")
    boolean randomInit;

    @Option(names = "--model", defaultValue = "gpt2-small", description = "With --random-init: gpt2-small, gpt2-medium, gpt2-large or gpt2-xl (default: ${DEFAULT-VALUE}).")
    String model;

    @Mixin
    SamplingFlags sampling;

    @Option(names = "--seed", defaultValue = "123", description = "Seed for sampling (and random weights) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prompt", defaultValue = "Every effort moves you", description = "The start of the text (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "25", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--context", description = "Context length (default: the model's).")
    Integer context;

    @Option(names = "--weights", description = "fp32, bf16 or int8: generate with MatVecDecoder, its matrices stored in this format (bf16 about 2x, "
            + "int8 about 3x the tokens/s of fp32; see docs/generation-speed.md). Default: the model's own forward pass, fp32. "
            + "With --device gpu: fp32 (default), fp16 or int8.")
    String weights;

    @Mixin
    DeviceFlag device = new DeviceFlag();

    @Override
    public Integer call() throws IOException {
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be >= 0, got " + maxNewTokens);
        if ((checkpoint == null) == !randomInit) throw new IllegalArgumentException("give either --checkpoint PATH or --random-init");
        if (context != null && context < 1) throw new IllegalArgumentException("--context must be at least 1, got " + context);
        sampling.check();                                      // before a model of gigabytes loads
        Accelerator accelerator = device.accelerator();
        if (accelerator == null && "fp16".equals(weights)) {
            throw new IllegalArgumentException("--weights fp16 is for the GPU decoder (--device gpu); on the CPU: fp32, bf16 or int8");
        }
        if (accelerator != null && weights != null && !accelerator.weightFormats().contains(weights)) {
            throw new IllegalArgumentException("--weights with --device gpu takes " + String.join(", ", accelerator.weightFormats()) + "; got '" + weights + "'");
        }
        WeightFormat format = weights == null || accelerator != null ? null : WeightFormat.parse(weights);
        PretrainedModel loaded;
        if (randomInit) {
            GPTConfig cfg = GPTConfig.named(model);
            System.err.printf("building %s with random weights (%,d parameters)...%n", model, cfg.parameterCount(false));
            loaded = PretrainedModel.randomInit(cfg, seed);
        } else {
            long start = System.nanoTime();
            loaded = PretrainedModel.load(checkpoint);
            System.err.printf("loaded %s in %.1f s%n", loaded.description(), (System.nanoTime() - start) / 1e9);
        }
        GPTModel gpt = loaded.model();
        Tokenizer tokenizer = loaded.tokenizer();
        int contextSize = context != null ? Math.min(context, gpt.config().contextLength()) : gpt.config().contextLength();
        SamplingOptions options = sampling.options(loaded.endOfText(), seed);
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("--prompt is empty");
        for (int id : ids) {
            if (id >= gpt.config().vocabSize()) {
                throw new IllegalArgumentException("the prompt's token id " + id + " is outside the model's vocabulary of " + gpt.config().vocabSize()
                        + " (was the model trained with another tokenizer?)");
            }
        }
        if (accelerator != null) System.err.println("device: " + accelerator.description());
        // built before the clock starts: copying the weights to a device or rounding them is not generation
        Decoder decoder = format != null ? new MatVecDecoder(gpt, contextSize, format)
                : accelerator != null ? accelerator.decoder(gpt, contextSize, weights == null ? accelerator.weightFormats().get(0) : weights) : null;
        if (format != null) System.err.println("weights: " + format + " (MatVecDecoder)");
        if (accelerator != null && weights != null) System.err.println("weights: " + weights + " on the device");
        System.out.print(prompt);
        System.out.flush();
        StreamingText stream = new StreamingText(tokenizer);
        IntConsumer print = id -> {
            System.out.print(stream.add(id));
            System.out.flush();
        };
        long start = System.nanoTime();
        int[] out;
        if (decoder != null) out = Generator.generate(decoder, ids, maxNewTokens, options, print);
        else out = Generator.generate(gpt, ids, maxNewTokens, contextSize, options, print);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println();
        int generated = out.length - ids.length;
        System.err.printf("%d tokens in %.2f s (%.1f tokens/s)%n", generated, seconds, generated / seconds);
        return 0;
    }

    /**
     * Turns ids into printable text as they arrive: a character that GPT-2 splits over two tokens (an emoji, say)
     * is printed once both have come, not as two replacement characters.
     */
    static final class StreamingText {
        private final Tokenizer tokenizer;
        private final java.util.List<Integer> ids = new java.util.ArrayList<>();
        private int printed;

        StreamingText(Tokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        String add(int id) {
            ids.add(id);
            String text = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
            if (text.endsWith("\uFFFD")) return "";
            String fresh = text.substring(Math.min(printed, text.length()));
            printed = text.length();
            return fresh;
        }
    }
}
