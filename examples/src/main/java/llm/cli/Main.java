package llm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./llm} command line. Each subcommand is one class in this package.
 *
 * {@snippet :
 * ./llm quickstart        # the main job on built-in data
 * ./llm --help
 * }
 */
@Command(name = "llm", mixinStandardHelpOptions = true, version = "llm 0.1.0",
        description = "Build a large language model from scratch, in Java.",
        subcommands = {QuickstartCommand.class, TrainCommand.class, GenerateCommand.class, TokenizeCommand.class, PrepareCommand.class,
                FinetuneClassifierCommand.class, ClassifyCommand.class, FinetuneInstructCommand.class, JudgeCommand.class, DpoCommand.class,
                RewardModelCommand.class, PpoCommand.class, ChatCommand.class, PerplexityCommand.class, DevicesCommand.class, ExampleCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Bad input gets one clear line naming the command, not a stack trace; exit code 2. A file system error names
     * its file; any other exception is a bug of ours, said so with its type. The line is escaped, because it may
     * quote a file's contents, and a file's escape sequences must not drive the user's terminal.
     */
    static final CommandLine.IExecutionExceptionHandler ERRORS = (e, cmd, parsed) -> {
        cmd.getErr().println("llm " + cmd.getCommandName() + ": " + escape(describe(e)));
        return 2;
    };

    /** What went wrong, in one line. */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            return (f.getFile() != null ? f.getFile() + ": " : "") + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException || e instanceof UnsupportedOperationException) {
            return String.valueOf(e.getMessage());
        }
        return "internal error (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); please report it with the command that caused it";
    }

    /** Control characters (ESC among them) as {@code \\u001b} and the like: what an error quotes from a file is shown, never obeyed. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.toString();
    }

    /** What to say when the model or the batch does not fit in the heap. */
    static String outOfMemory() {
        return String.format("out of memory: the JVM may use %.1f GB here and this model, batch and context need more; "
                + "give it more with LLM_JAVA_OPTS=-Xmx<size> ./llm ..., or lower --batch or --context "
                + "(GPT-2 124M at 4 x 256 tokens needs about 6 GB)", Runtime.getRuntime().maxMemory() / 1e9);
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(ERRORS);
        int code;
        try {
            code = cli.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("llm: " + outOfMemory());
            code = 3;
        }
        System.exit(code);
    }
}
