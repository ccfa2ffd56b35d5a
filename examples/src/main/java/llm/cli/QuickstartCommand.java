package llm.cli;

import java.util.concurrent.Callable;

import llm.examples.AppA4AutomaticDifferentiation;
import llm.examples.AppA7TrainingLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The project's main job on built-in data. For now that is Book Appendix A: the autograd example, then the
 * toy network trained until its loss has fallen; later chapters replace it with GPT pretraining.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the main job on built-in data (currently Book Appendix A: autograd and a small network trained on toy data).")
final class QuickstartCommand implements Callable<Integer> {

    @Option(names = "--epochs", defaultValue = "10", description = "Training epochs over the five toy points (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the random generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        System.out.println("== Book A.4: automatic differentiation ==");
        AppA4AutomaticDifferentiation.main(new String[0]);
        System.out.println();
        System.out.println("== Book A.7: training a 2 -> 30 -> 20 -> 2 network with SGD ==");
        var result = AppA7TrainingLoop.train(epochs, seed, System.out);
        var losses = result.losses();
        System.out.printf("loss: first batch %.4f, last batch %.4f%n", losses.get(0), losses.get(losses.size() - 1));
        System.out.printf("Train accuracy: %.2f | Test accuracy: %.2f%n", result.trainAccuracy(), result.testAccuracy());
        return 0;
    }
}
