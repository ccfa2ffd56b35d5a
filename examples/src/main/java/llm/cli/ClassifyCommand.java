package llm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import llm.classification.SpamClassifier;
import llm.classification.SpamDataset;
import llm.pretraining.GPTCheckpoints;
import llm.pretraining.PretrainedModel;
import llm.training.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./llm classify}: Book §6.8's {@code classify_review} with a classifier made by {@code ./llm finetune-classifier}. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Label texts as spam or not spam with a classifier from 'finetune-classifier' (one line per text, with the spam probability).")
final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The output folder (or checkpoint file) of 'finetune-classifier'.")
    Path checkpoint;

    @Option(names = "--file", description = "A text file with one text per line.")
    Path file;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!Checkpoint.isCheckpoint(checkpoint)) throw new IllegalArgumentException("--checkpoint: " + checkpoint + " is not a checkpoint of this project");
        Map<String, String> meta = Checkpoint.metadata(checkpoint);
        if (!meta.containsKey(GPTCheckpoints.HEAD_CLASSES_KEY) || !meta.containsKey(SpamClassifier.MAX_LENGTH_KEY)) {
            throw new IllegalArgumentException("--checkpoint: " + Checkpoint.resolve(checkpoint) + " is not a classifier (make one with './llm finetune-classifier')");
        }
        List<String> all = new ArrayList<>(texts);
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--file: no such file: " + file);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!line.isBlank()) all.add(line);
        }
        if (all.isEmpty()) throw new IllegalArgumentException("give texts to classify, or --file");
        PretrainedModel classifier = PretrainedModel.load(checkpoint);
        int maxLength = llm.training.Checkpoint.intMetadata(meta, SpamClassifier.MAX_LENGTH_KEY, checkpoint);
        for (String text : all) {
            var p = SpamClassifier.classifyReview(text, classifier.model(), classifier.tokenizer(), maxLength, SpamDataset.PAD_TOKEN_ID);
            System.out.printf("%-8s %.3f  %s%n", p.label(), p.spamProbability(), text);
        }
        return 0;
    }
}
