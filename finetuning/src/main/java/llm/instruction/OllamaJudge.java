package llm.instruction;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The book's evaluation with a judge model (§7.8): each response is scored from 0 to 100 by a larger model served by
 * Ollama, through its HTTP chat API ({@code POST /api/chat}, answered as streamed JSON lines), with the book's
 * prompt and options (seed 123, temperature 0, a 2,048-token context). The reply's first integer is the score.
 * Failed requests are retried; a server that never answers is one clear error naming the URL.
 */
public final class OllamaJudge {
    /** Ollama's default address. */
    public static final String DEFAULT_URL = "http://localhost:11434/api/chat";
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    private final URI url;
    private final String model;
    private final int attempts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param attempts how often a request is tried before giving up (at least 1) */
    public OllamaJudge(String url, String model, int attempts) {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        this.url = URI.create(url);
        this.model = model;
        this.attempts = attempts;
    }

    /** The book's judge prompt for one record and the model's response to it. */
    public static String judgePrompt(InstructionData.Entry entry, String modelResponse) {
        return "Given the input `" + PromptTemplate.ALPACA.formatInput(entry) + "` and correct output `" + entry.output()
                + "`, score the model response `" + modelResponse + "` on a scale from 0 to 100, where 100 is the best score. "
                + "Respond with the integer number only.";
    }

    /** The book's {@code query_model}: the judge's whole reply to {@code prompt}. */
    public String queryModel(String prompt) throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("model", model);
        JsonArray messages = new JsonArray();
        JsonObject message = new JsonObject();
        message.addProperty("role", "user");
        message.addProperty("content", prompt);
        messages.add(message);
        body.add("messages", messages);
        JsonObject options = new JsonObject();
        options.addProperty("seed", 123);
        options.addProperty("temperature", 0);
        options.addProperty("num_ctx", 2048);
        body.add("options", options);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode() + " from " + url + " (is the model '" + model + "' pulled?)");
                }
                StringBuilder reply = new StringBuilder();
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {          // one JSON object per line
                        if (line.isBlank()) continue;
                        JsonObject part = JsonParser.parseString(line).getAsJsonObject();
                        if (part.has("message")) reply.append(part.getAsJsonObject("message").get("content").getAsString());
                        if (part.has("done") && part.get("done").getAsBoolean()) break;
                    }
                }
                return reply.toString();
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + url);
            }
            if (attempt < attempts) sleep(500L * attempt);
        }
        String why = last.getMessage() != null ? last.getMessage() : last.getClass().getSimpleName();   // a refused connection has no message
        throw new IOException("no Ollama server answered at " + url + " after " + attempts + " attempts (" + why
                + "); start one with 'ollama serve' and pull the judge model with 'ollama pull " + model + "'");
    }

    /** The score the judge gives a response: the reply's first integer, kept within 0..100. */
    public int score(InstructionData.Entry entry, String modelResponse) throws IOException {
        String reply = queryModel(judgePrompt(entry, modelResponse));
        Matcher m = INTEGER.matcher(reply);
        if (!m.find()) throw new IOException("the judge at " + url + " replied without a number: '" + reply.strip() + "'");
        return Math.max(0, Math.min(100, Integer.parseInt(m.group())));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
