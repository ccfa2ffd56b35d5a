package llm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import llm.generation.Generator;
import llm.generation.SamplingOptions;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.pretraining.PretrainedModel;
import llm.training.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./llm chat}: talk to an instruction-tuned model (Book chapter 7). Each message is formatted with the
 * model's prompt template, and the response streams token by token through the KV cache until the end-of-text
 * token. Empty lines are skipped; Ctrl-D (end of input) ends the chat. {@code --prompt} answers once and exits.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with an instruction-tuned model (from 'finetune-instruct' or 'dpo'); --prompt answers once and exits.")
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The output folder (or checkpoint file) of 'finetune-instruct' or 'dpo'.")
    Path checkpoint;

    @Option(names = "--prompt", description = "Answer this message and exit.")
    String prompt;

    @Option(names = "--template", description = "alpaca or phi3 (default: the checkpoint's, else alpaca).")
    String template;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Longest response, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Mixin
    SamplingFlags sampling;

    @Option(names = "--seed", defaultValue = "123", description = "Seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        sampling.check();
        if (!Checkpoint.isCheckpoint(checkpoint)) throw new IllegalArgumentException("--checkpoint: " + checkpoint + " is not a checkpoint of this project");
        Map<String, String> meta = Checkpoint.metadata(checkpoint);
        PromptTemplate style;
        try {
            style = PromptTemplate.parse(template != null ? template : meta.getOrDefault("template", "alpaca"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--template: " + e.getMessage());
        }
        PretrainedModel model = PretrainedModel.load(checkpoint);
        SamplingOptions options = sampling.options(model.endOfText(), seed);
        if (prompt != null) {
            answer(model, style, options, prompt);
            return 0;
        }
        System.err.println("chatting with " + model.description() + "; an empty line is skipped, Ctrl-D ends");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            System.out.print("> ");
            System.out.flush();
            String line = in.readLine();
            if (line == null) {                               // Ctrl-D
                System.out.println();
                return 0;
            }
            if (line.isBlank()) continue;
            answer(model, style, options, line.strip());
        }
    }

    private void answer(PretrainedModel model, PromptTemplate style, SamplingOptions sampling, String message) {
        String text = style.formatInput(new InstructionData.Entry(message, "", "", null, null)) + style.responseMarker();
        int[] ids = model.tokenizer().encode(text);
        int context = model.model().config().contextLength();
        GenerateCommand.StreamingText stream = new GenerateCommand.StreamingText(model.tokenizer());
        Generator.generate(model.model(), ids, maxNewTokens, context, sampling, id -> {
            System.out.print(stream.add(id));
            System.out.flush();
        });
        System.out.println();
    }
}
