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
        subcommands = {QuickstartCommand.class, TrainCommand.class, GenerateCommand.class, TokenizeCommand.class, PrepareCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Bad input gets one clear line naming the command, not a stack trace; exit code 2. */
    static final CommandLine.IExecutionExceptionHandler ERRORS = (e, cmd, parsed) -> {
        cmd.getErr().println("llm " + cmd.getCommandName() + ": " + e.getMessage());
        return 2;
    };

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(ERRORS);
        int code = cli.execute(args);
        System.exit(code);
    }
}
