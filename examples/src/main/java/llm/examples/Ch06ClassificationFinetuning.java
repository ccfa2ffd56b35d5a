package llm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import llm.classification.ClassifierRun;
import llm.classification.ClassifierSettings;
import llm.classification.SpamClassifier;
import llm.classification.SpamDataset;
import llm.classification.TrainClassifierSimple;
import llm.classification.Trainable;
import llm.gpt.GPTConfig;
import llm.pretraining.PretrainedModel;

/**
 * Book §6.4-6.8: a GPT with its head replaced by a 2-class layer, fine-tuned on the spam data with the book's
 * {@code train_classifier_simple} (evaluation every 50 steps, accuracy after each epoch), then {@code
 * classify_review} on the book's two examples.
 *
 * <p>With a path ({@code ./llm example Ch06ClassificationFinetuning path/to/gpt2}) it starts from OpenAI's GPT-2 124M
 * and trains the last block, as the book (about 95.67 % test accuracy there). Without one it starts from random
 * weights of a narrow GPT (4 layers, width 128) and trains every layer at lr 5e-4: no OpenAI weights are needed,
 * and it takes about two minutes on two cores.
 */
public final class Ch06ClassificationFinetuning {
    private Ch06ClassificationFinetuning() {}

    public static void main(String[] args) throws IOException {
        PretrainedModel base;
        ClassifierSettings settings;
        if (args.length > 0) {
            base = PretrainedModel.load(Path.of(args[0]));
            settings = ClassifierSettings.book();
        } else {
            base = PretrainedModel.randomInit(new GPTConfig(50257, 1024, 128, 4, 4, 0f, true), 123);
            settings = new ClassifierSettings(5, 8, 5e-4, 0.1, 50, 5, null, Trainable.ALL, 0, 16, 123);
        }
        ClassifierRun run = new ClassifierRun(base, BookData.path("sms-spam"), settings);
        long[] counts = run.parameterCounts();
        System.out.printf("trainable parameters: %,d of %,d%n", counts[0], counts[1]);
        Path out = Files.createTempDirectory("ch06");
        ClassifierRun.Result r = run.run(out, TrainClassifierSimple.printing(System.out, run.batchesPerEpoch()));
        System.out.printf("Training completed in %.2f minutes.%n", r.seconds() / 60);
        ClassifierRun.printAccuracies(r, System.out);
        int maxLength = run.trainDataset().maxLength();
        String spam = "You are a winner you have been specially selected to receive $1000 cash or a $2000 award.";
        String ham = "Hey, just wanted to check if we're still on for dinner tonight? Let me know!";
        for (String text : new String[] {spam, ham}) {
            System.out.println(SpamClassifier.classifyReview(text, run.model(), base.tokenizer(), maxLength, SpamDataset.PAD_TOKEN_ID).label() + ": " + text);
        }
        System.out.println("wrote the classifier, metrics.csv, loss.png and accuracy.png to " + out);
    }
}
