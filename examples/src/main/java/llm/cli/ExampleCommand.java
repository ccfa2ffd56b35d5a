package llm.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./llm example NAME [ARGS...]}: runs one of the example mains (one per book section, in {@code
 * llm.examples}) with the JDK and flags {@code ./llm} found, so the examples run on a machine whose default
 * {@code java} is older.
 */
@Command(name = "example", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an example main, one per book section (see docs/).", "", "Examples: " + ExampleCommand.NAMES})
final class ExampleCommand implements Callable<Integer> {
    /** Every example main, in book order. */
    static final String NAMES = "Ch02SimpleTokenizer, Ch02BytePairEncoding, Ch02BPEFromScratch, Ch02DataSampling, "
            + "Ch03SelfAttention, Ch04GPTModel, Ch05TextGenerationLoss, Ch05PretrainingLoop, Ch05SaveAndLoadWeights, Ch05WeightFormats, "
            + "Ch05PretrainedGPT2, AppA4AutomaticDifferentiation, AppA5MultilayerNetwork, AppA7TrainingLoop, "
            + "AppDTrainingExtras, Ch06SpamDataset, Ch06ClassificationFinetuning, AppELoRA, Ch07InstructionData, "
            + "Ch07InstructionFinetuning, Ch07DPOFromScratch, Ch08RewardModel, Ch08PPO, AppA9DataParallel, "
            + "CourseCharacterTokenizer, "
            + "CourseBigramModel, CourseTokenShards";
    static final List<String> EXAMPLES = List.of(NAMES.split(", "));

    @Parameters(index = "0", paramLabel = "NAME", description = "The example, for instance AppA5MultilayerNetwork.")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the example.")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        if (!EXAMPLES.contains(name)) {
            throw new IllegalArgumentException("no example '" + name + "'; the examples are " + String.join(", ", EXAMPLES));
        }
        Method main = Class.forName("llm.examples." + name).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args.toArray(new String[0]));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        return 0;
    }
}
