package llm.classification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import llm.data.DataLoader;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Book §6.2-6.3 on the book's exact split: sizes, padding to 120 tokens, and the loaders' batch counts. */
class SpamDataTest {
    static final Path SPLIT = Path.of("../data/sms-spam"), RAW = Path.of("../data/SMSSpamCollection");

    @TempDir
    Path tmp;

    @Test
    void theBooksSplitPaddedAndBatchedAsTheBook() throws IOException {
        SpamData.Splits s = SpamData.load(SPLIT, 123);
        assertEquals(1045, s.train().size());
        assertEquals(149, s.validation().size());
        assertEquals(300, s.test().size());
        assertEquals("Dude how do you like the buff wind.", s.train().get(0).text());
        BytePairTokenizer tok = BytePairTokenizer.gpt2();
        SpamDataset train = new SpamDataset(s.train(), tok, null, SpamDataset.PAD_TOKEN_ID);
        assertEquals(120, train.maxLength(), "the longest training message, as the book prints");
        SpamDataset val = new SpamDataset(s.validation(), tok, train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        SpamDataset test = new SpamDataset(s.test(), tok, train.maxLength(), SpamDataset.PAD_TOKEN_ID);
        assertEquals(130, new DataLoader<>(train, 8, true, true, new SeededRandom(123)).size());
        assertEquals(19, new DataLoader<>(val, 8, false, false, null).size());
        assertEquals(38, new DataLoader<>(test, 8, false, false, null).size());
        var batch = new DataLoader<>(train, 8, true, true, new SeededRandom(123)).iterator().next();
        assertEquals(8, batch.inputs().dim(0));
        assertEquals(120, batch.inputs().dim(1));
        assertEquals(1, batch.targets().rank());
        int[] first = train.encoded(0);
        assertEquals(SpamDataset.PAD_TOKEN_ID, first[first.length - 1], "a short message ends in padding");
    }

    @Test
    void theRawFileIsBalancedAndSplit70_10_20() throws IOException {
        SpamData.Splits s = SpamData.load(RAW, 123);
        assertEquals(1045, s.train().size());
        assertEquals(149, s.validation().size());
        assertEquals(300, s.test().size());
        long spam = s.train().stream().filter(m -> m.label() == 1).count() + s.validation().stream().filter(m -> m.label() == 1).count()
                + s.test().stream().filter(m -> m.label() == 1).count();
        assertEquals(747, spam, "all 747 spam messages, and as many ham");
    }

    private String error(String csv) throws IOException {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, csv);
        return assertThrows(IllegalArgumentException.class, () -> SpamData.readCsv(f)).getMessage();
    }

    @Test
    void badCsvFilesNameTheFileLineAndProblem() throws IOException {
        assertTrue(error("Text,Label\nhi,0\n").contains("bad.csv line 1: the header must be 'Label,Text'"));
        String unknown = error("Label,Text\n0,hello\n2,hi\n");
        assertTrue(unknown.contains("bad.csv line 3: unknown label '2'"), unknown);
        String empty = error("Label,Text\n0,hello\n1,\n");
        assertTrue(empty.contains("bad.csv line 3: the text is empty"), empty);
        String quote = error("Label,Text\n0,\"hello, \"world\n");
        assertTrue(quote.contains("bad.csv line 2"), quote);
    }
}
