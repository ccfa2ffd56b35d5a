package llm.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.examples.BookData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The project's main job on built-in data: Book chapter 5 in small. A GPT (4 layers, width 128, context 64,
 * GPT-2's tokenizer) is pretrained on the-verdict for a few minutes, with warmup, cosine decay and gradient
 * clipping (Appendix D), printing its falling loss and samples, saving a checkpoint and the loss plot; then text
 * is generated from that checkpoint, greedily and sampled. It is exactly {@code ./llm train} followed by {@code
 * ./llm generate} with the options printed at the start.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the main job on built-in data: pretrain a small GPT on the-verdict (Book chapter 5), then generate from its checkpoint.")
final class QuickstartCommand implements Callable<Integer> {

    @Option(names = "--epochs", defaultValue = "20", description = "Passes over the-verdict (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--out", defaultValue = "runs/quickstart", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        String data = BookData.path("the-verdict.txt").toString();
        String[] train = {"--data", data, "--tokenizer", "gpt2", "--model", "custom", "--layers", "4", "--heads", "4", "--width", "128",
                "--context", "64", "--batch", "8", "--epochs", Integer.toString(epochs), "--lr", "3e-3", "--warmup", "10",
                "--min-lr", "3e-4", "--clip", "1.0", "--clip-during-warmup", "--eval-every", "9", "--eval-batches", "3", "--sample-tokens", "30",
                "--seed", Long.toString(seed), "--out", out.toString(), "--overwrite"};
        System.out.println("== ./llm train " + String.join(" ", train));
        int rc = run(new TrainCommand(), train);
        if (rc != 0) return rc;
        String[] greedy = {"--checkpoint", out.toString(), "--prompt", "Every effort moves you", "--max-new-tokens", "30"};
        System.out.println();
        System.out.println("== ./llm generate " + String.join(" ", greedy));
        rc = run(new GenerateCommand(), greedy);
        if (rc != 0) return rc;
        String[] sampled = {"--checkpoint", out.toString(), "--prompt", "I had always thought", "--max-new-tokens", "30",
                "--temperature", "0.8", "--top-k", "40", "--seed", Long.toString(seed)};
        System.out.println();
        System.out.println("== ./llm generate " + String.join(" ", sampled));
        return run(new GenerateCommand(), sampled);
    }

    private static int run(Object command, String[] args) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(Main.ERRORS);
        return cl.execute(args);
    }
}
