package llm.instruction;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Scores a responses file ({@code instruction-data-with-response.json}, Book §7.7): without a server, the mean exact
 * match and ROUGE-L against the reference outputs ({@link ResponseMetrics}); with a judge ({@link OllamaJudge},
 * §7.8), each response's 0-100 score, written to a JSON-lines file as it arrives, so that the scores so far are kept
 * if the server stops answering.
 */
public final class ResponseEvaluation {
    /** One record of the file: the instruction data and the model's response. */
    public record Scored(InstructionData.Entry entry, String modelResponse) {}

    /** The means over the file; {@code judgeScore} is NaN without a judge, {@code judged} how many got a score. */
    public record Summary(int records, double exactMatch, double rougeL, double judgeScore, int judged) {}

    private ResponseEvaluation() {}

    /** Reads the responses file; a record without {@code model_response} is an error naming its index. */
    public static List<Scored> read(Path file) throws IOException {
        List<InstructionData.Entry> entries = InstructionData.read(file, false);
        List<Scored> out = new ArrayList<>();
        int i = 0;
        for (JsonElement e : JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonArray()) {
            JsonElement r = e.getAsJsonObject().get("model_response");
            if (r == null || !r.isJsonPrimitive()) throw new IllegalArgumentException(file + " record " + i + " has no 'model_response'");
            out.add(new Scored(entries.get(i), r.getAsString()));
            i++;
        }
        return out;
    }

    /**
     * The offline measures, and with a {@code judge} the judge's scores, appended to {@code scoresFile} (one JSON
     * object per record) as they come. A judge that stops answering ends the run with its error after the file holds
     * the scores so far.
     */
    public static Summary evaluate(List<Scored> records, OllamaJudge judge, Path scoresFile, PrintStream progress) throws IOException {
        double exact = 0, rouge = 0, judged = 0;
        int count = 0;
        for (Scored s : records) {
            exact += ResponseMetrics.exactMatch(s.modelResponse(), s.entry().output());
            rouge += ResponseMetrics.rougeL(s.modelResponse(), s.entry().output());
        }
        if (judge != null) {
            Files.createDirectories(scoresFile.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(scoresFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int i = 0; i < records.size(); i++) {
                    int score = judge.score(records.get(i).entry(), records.get(i).modelResponse());
                    JsonObject line = new JsonObject();
                    line.addProperty("index", i);
                    line.addProperty("score", score);
                    w.write(line + "\n");
                    w.flush();                                  // kept even if a later request fails
                    judged += score;
                    count++;
                    if (progress != null && ((i + 1) % 10 == 0 || i + 1 == records.size())) progress.printf("Scoring entries: %d/%d%n", i + 1, records.size());
                }
            }
        }
        int n = records.size();
        return new Summary(n, exact / n, rouge / n, count == 0 ? Double.NaN : judged / count, count);
    }
}
