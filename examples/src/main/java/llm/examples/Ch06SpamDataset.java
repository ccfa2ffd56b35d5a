package llm.examples;

import java.io.IOException;

import llm.classification.SpamData;
import llm.classification.SpamDataset;
import llm.data.Batch;
import llm.data.DataLoader;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;

/**
 * Book §6.2-6.3, "Preparing the dataset" and "Creating data loaders": the book's split of the SMS spam data,
 * each message as GPT-2 ids padded with 50256 to the longest training message, and loaders of 8 messages.
 */
public final class Ch06SpamDataset {
    private Ch06SpamDataset() {}

    public static void main(String[] args) throws IOException {
        SpamData.Splits s = SpamData.load(BookData.path("sms-spam"), 123);
        System.out.printf("train %d, validation %d, test %d messages%n", s.train().size(), s.validation().size(), s.test().size());
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        SpamDataset train = new SpamDataset(s.train(), tok, null, SpamDataset.PAD_TOKEN_ID);
        SpamDataset val = new SpamDataset(s.validation(), tok, train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        SpamDataset test = new SpamDataset(s.test(), tok, train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        System.out.println("longest training message: " + train.maxLength() + " tokens");
        DataLoader<Batch> trainLoader = new DataLoader<>(train, 8, true, true, new SeededRandom(123));
        DataLoader<Batch> valLoader = new DataLoader<>(val, 8, false, false, null);
        DataLoader<Batch> testLoader = new DataLoader<>(test, 8, false, false, null);
        Batch first = trainLoader.iterator().next();
        System.out.println("Input batch dimensions: " + first.inputs().dim(0) + " x " + first.inputs().dim(1));
        System.out.println("Label batch dimensions: " + first.targets().dim(0));
        System.out.printf("%d training batches%n%d validation batches%n%d test batches%n", trainLoader.size(), valLoader.size(), testLoader.size());
    }
}
