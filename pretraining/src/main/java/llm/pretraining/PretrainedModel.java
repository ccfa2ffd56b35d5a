package llm.pretraining;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import llm.gpt.GPTConfig;
import llm.gpt.GPTModel;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import llm.tokenizer.Tokenizer;
import llm.training.Checkpoint;
import llm.weights.GPT2Weights;

/**
 * A GPT together with the tokenizer it reads, loaded in one call from whatever the project can read (Book §5.4,
 * §5.5): a checkpoint written by a training run (its tokenizer is named in it), OpenAI's GPT-2 weights as Hugging
 * Face publishes them ({@code model.safetensors}, {@code pytorch_model.bin}, or a folder holding one), or the
 * book's {@code .pth} file; or random weights of a named size.
 *
 * {@snippet :
 * PretrainedModel gpt = PretrainedModel.load(Path.of("runs/quickstart"));
 * int[] ids = Generator.generateTextSimple(gpt.model(), gpt.tokenizer().encode("Every effort moves you"), 20, gpt.model().config().contextLength());
 * System.out.println(gpt.tokenizer().decode(ids));
 * }
 *
 * @param model       the model, in evaluation mode
 * @param tokenizer   its tokenizer
 * @param description where it came from, for a log line
 */
public record PretrainedModel(GPTModel model, Tokenizer tokenizer, String description) {

    /** Loads a training checkpoint or GPT-2 weights from {@code path} (a file or a folder). */
    public static PretrainedModel load(Path path) throws IOException {
        if (Checkpoint.isCheckpoint(path)) {
            Map<String, String> meta = Checkpoint.metadata(path);
            GPTModel model = GPTCheckpoints.loadModel(path);
            TokenizerSpec tok = TokenizerSpec.fromMetadata(meta);
            return new PretrainedModel(model, tok.create(), String.format("%s (step %s, %,d parameters, %s tokenizer)",
                    Checkpoint.resolve(path), meta.get("step"), model.numParameters(), tok.name()));
        }
        GPTModel model = GPT2Weights.load(path, 0f);
        model.eval();
        return new PretrainedModel(model, BytePairTokenizer.gpt2(), String.format("GPT-2 weights from %s (%,d parameters)", path, model.numParameters()));
    }

    /** Random weights of {@code config} with GPT-2's tokenizer, in evaluation mode. */
    public static PretrainedModel randomInit(GPTConfig config, long seed) {
        GPTModel model = new GPTModel(config, false, new SeededRandom(seed));
        model.eval();
        return new PretrainedModel(model, BytePairTokenizer.gpt2(), String.format("random weights (%,d parameters)", model.numParameters()));
    }

    /** The end-of-text token id that stops generation, or -1 when the tokenizer has none. */
    public int endOfText() {
        if (tokenizer instanceof BytePairTokenizer bpe) return bpe.specialId(BytePairTokenizer.END_OF_TEXT);
        return tokenizer instanceof llm.tokenizer.CharTokenizer chars ? chars.endOfTextId() : -1;
    }
}
