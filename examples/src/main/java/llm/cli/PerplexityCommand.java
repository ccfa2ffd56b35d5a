package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.data.Utf8Text;
import llm.generation.MatVecDecoder;
import llm.generation.Perplexity;
import llm.gpt.GPTModel;
import llm.pretraining.PretrainedModel;
import llm.tensor.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./llm perplexity}: the loss and perplexity of a text under a model (Book §5.1.2), token by token through
 * {@link MatVecDecoder} with its weights in fp32, bf16 or int8, so that what a storage format costs is one number
 * beside fp32's.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The loss and perplexity of a text under a model, with its weights in fp32, bf16 or int8.")
final class PerplexityCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "A folder or file: checkpoint.safetensors from 'train', GPT-2 model.safetensors / pytorch_model.bin, or a book .pth.")
    Path checkpoint;

    @Option(names = "--data", required = true, description = "A UTF-8 text file.")
    Path data;

    @Option(names = "--weights", defaultValue = "fp32", description = "fp32, bf16 or int8 (default: ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--context", description = "Tokens per window (default: the model's context length).")
    Integer context;

    @Override
    public Integer call() throws IOException {
        WeightFormat format = WeightFormat.parse(weights);
        if (context != null && context < 1) throw new IllegalArgumentException("--context must be at least 1, got " + context);
        if (!Files.isRegularFile(data)) throw new IllegalArgumentException("--data: no such file: " + data);
        String text = Utf8Text.read(data, false);                      // before a model of gigabytes loads
        PretrainedModel loaded = PretrainedModel.load(checkpoint);
        GPTModel model = loaded.model();
        int window = context != null ? Math.min(context, model.config().contextLength()) : model.config().contextLength();
        int[] tokens = loaded.tokenizer().encode(text);
        if (tokens.length < window + 1) {
            throw new IllegalArgumentException("--data: " + data + " has " + tokens.length + " tokens; a window of " + window
                    + " needs at least " + (window + 1) + " (give a smaller --context)");
        }
        int windows = (tokens.length - 1) / window;
        System.err.printf("%s: %,d tokens, %d windows of %d; weights %s%n", loaded.description(), tokens.length, windows, window, format);
        MatVecDecoder decoder = new MatVecDecoder(model, window, format);
        ProgressLine bar = new ProgressLine(System.err, "perplexity", "tokens/s", 1);
        Perplexity.Result r = Perplexity.of(decoder, tokens, window, w -> bar.update((long) w * window, (long) windows * window));
        System.out.printf("loss %.4f, perplexity %.3f over %,d tokens (%s weights)%n", r.loss(), r.perplexity(), r.tokens(), format);
        return 0;
    }
}
