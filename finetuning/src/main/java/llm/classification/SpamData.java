package llm.classification;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import llm.tensor.SeededRandom;

/**
 * The SMS spam data of Book §6.2: labelled text messages, read either from the three CSV files the book's code
 * writes ({@code train.csv}, {@code validation.csv}, {@code test.csv}; header {@code Label,Text}, 0 = ham, 1 =
 * spam; RFC 4180 quoting, read with Commons CSV) or from the raw UCI file {@code SMSSpamCollection}
 * ({@code ham|spam<TAB>text} per line), which is then balanced ({@link #createBalancedDataset}) and split 70/10/20
 * ({@link #randomSplit}) as the book's code does. Every problem in a file is one error naming the file and line.
 */
public final class SpamData {
    /** One message: its text and its label (0 = not spam, 1 = spam). */
    public record Message(String text, int label) {}

    /** The three splits. */
    public record Splits(List<Message> train, List<Message> validation, List<Message> test) {}

    private SpamData() {}

    /**
     * The book's split from a folder holding {@code train.csv}, {@code validation.csv} and {@code test.csv}, or from
     * the raw {@code SMSSpamCollection} file (balanced and split with {@code seed}).
     */
    public static Splits load(Path folderOrRawFile, long seed) throws IOException {
        if (Files.isDirectory(folderOrRawFile)) {
            return new Splits(readCsv(folderOrRawFile.resolve("train.csv")), readCsv(folderOrRawFile.resolve("validation.csv")),
                    readCsv(folderOrRawFile.resolve("test.csv")));
        }
        if (!Files.isRegularFile(folderOrRawFile)) throw new IllegalArgumentException("no such file or folder: " + folderOrRawFile);
        return randomSplit(createBalancedDataset(readRaw(folderOrRawFile), seed), 0.7, 0.1, seed);
    }

    /** A CSV file with the header {@code Label,Text}, labels 0 or 1 and non-empty texts. */
    public static List<Message> readCsv(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
        List<Message> out = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8); CSVParser csv = CSVParser.parse(in, format)) {
            if (!csv.getHeaderNames().equals(List.of("Label", "Text"))) {
                throw new IllegalArgumentException(file + " line 1: the header must be 'Label,Text', got '" + String.join(",", csv.getHeaderNames()) + "'");
            }
            var records = csv.iterator();
            while (hasNext(records, csv, file)) {
                CSVRecord r = records.next();
                long line = csv.getCurrentLineNumber();             // the line the record ends on
                if (r.size() != 2) throw new IllegalArgumentException(file + " line " + line + ": expected 2 fields (Label,Text), got " + r.size());
                int label = switch (r.get(0).strip()) {
                    case "0" -> 0;
                    case "1" -> 1;
                    default -> throw new IllegalArgumentException(file + " line " + line + ": unknown label '" + r.get(0) + "' (0 = ham, 1 = spam)");
                };
                if (r.get(1).isBlank()) throw new IllegalArgumentException(file + " line " + line + ": the text is empty");
                out.add(new Message(r.get(1), label));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no messages");
        return out;
    }

    /** Whether a record follows, with a broken quote reported as a line of the file rather than a parser stack trace. */
    private static boolean hasNext(java.util.Iterator<CSVRecord> records, CSVParser csv, Path file) {
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(file + " line " + csv.getCurrentLineNumber() + ": " + e.getCause().getMessage());
        }
    }

    /** The raw UCI file: {@code ham} or {@code spam}, a tab, the text. */
    public static List<Message> readRaw(Path file) throws IOException {
        List<Message> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isEmpty()) continue;
            int tab = line.indexOf('\t');
            if (tab < 0) throw new IllegalArgumentException(file + " line " + lineNo + ": expected 'ham|spam<TAB>text'");
            String label = line.substring(0, tab), text = line.substring(tab + 1);
            int l = switch (label) {
                case "ham" -> 0;
                case "spam" -> 1;
                default -> throw new IllegalArgumentException(file + " line " + lineNo + ": unknown label '" + label + "' (ham or spam)");
            };
            if (text.isBlank()) throw new IllegalArgumentException(file + " line " + lineNo + ": the text is empty");
            out.add(new Message(text, l));
        }
        return out;
    }

    /**
     * The book's {@code create_balanced_dataset}: as many ham messages as there are spam messages, drawn at random
     * with {@code seed}, followed by all spam messages.
     */
    public static List<Message> createBalancedDataset(List<Message> all, long seed) {
        List<Message> ham = new ArrayList<>(), spam = new ArrayList<>();
        for (Message m : all) (m.label() == 1 ? spam : ham).add(m);
        shuffle(ham, new SeededRandom(seed));
        List<Message> out = new ArrayList<>(ham.subList(0, Math.min(ham.size(), spam.size())));
        out.addAll(spam);
        return out;
    }

    /** The book's {@code random_split}: shuffled with {@code seed}, then the first {@code trainFrac}, the next {@code validationFrac}, the rest. */
    public static Splits randomSplit(List<Message> messages, double trainFrac, double validationFrac, long seed) {
        List<Message> shuffled = new ArrayList<>(messages);
        shuffle(shuffled, new SeededRandom(seed));
        int trainEnd = (int) (shuffled.size() * trainFrac);
        int validationEnd = trainEnd + (int) (shuffled.size() * validationFrac);
        return new Splits(List.copyOf(shuffled.subList(0, trainEnd)), List.copyOf(shuffled.subList(trainEnd, validationEnd)),
                List.copyOf(shuffled.subList(validationEnd, shuffled.size())));
    }

    private static <T> void shuffle(List<T> list, SeededRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {                // Fisher-Yates
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
