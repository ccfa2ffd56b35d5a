package llm.instruction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The judge client against a small HTTP server on 127.0.0.1 that answers as Ollama's {@code /api/chat} does
 * (streamed JSON lines), and the measures that need no server.
 */
class OllamaJudgeTest {
    @TempDir
    Path tmp;

    /** A fake Ollama: replies "8", then "5" and done (a score of 85), to the first {@code answers} requests, then fails. */
    static HttpServer fakeOllama(int answers, AtomicInteger seen, StringBuilder lastBody) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/chat", exchange -> {
            lastBody.setLength(0);
            lastBody.append(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (seen.incrementAndGet() > answers) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"8\"},\"done\":false}\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"5\"},\"done\":true}\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        return server;
    }

    static final InstructionData.Entry ENTRY = new InstructionData.Entry("Name the author of 'Pride and Prejudice'.", "", "Jane Austen.", null, null);

    @Test
    void scoresWithTheBooksPromptAndOptions() throws IOException {
        AtomicInteger seen = new AtomicInteger();
        StringBuilder body = new StringBuilder();
        HttpServer server = fakeOllama(10, seen, body);
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/chat";
            OllamaJudge judge = new OllamaJudge(url, "llama3", 1);
            assertEquals(85, judge.score(ENTRY, "The author is Jane Austen."));
            JsonObject sent = JsonParser.parseString(body.toString()).getAsJsonObject();
            assertEquals("llama3", sent.get("model").getAsString());
            assertEquals(123, sent.getAsJsonObject("options").get("seed").getAsInt());
            assertEquals(0, sent.getAsJsonObject("options").get("temperature").getAsInt());
            String prompt = sent.getAsJsonArray("messages").get(0).getAsJsonObject().get("content").getAsString();
            assertTrue(prompt.startsWith("Given the input `Below is an instruction") && prompt.contains("and correct output `Jane Austen.`")
                    && prompt.endsWith("Respond with the integer number only."), prompt);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServerThatStopsAnsweringKeepsTheScoresSoFar() throws IOException {
        AtomicInteger seen = new AtomicInteger();
        HttpServer server = fakeOllama(2, seen, new StringBuilder());
        Path scores = tmp.resolve("scores.jsonl");
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/chat";
            var records = List.of(new ResponseEvaluation.Scored(ENTRY, "a"), new ResponseEvaluation.Scored(ENTRY, "b"), new ResponseEvaluation.Scored(ENTRY, "c"));
            var e = assertThrows(IOException.class, () -> ResponseEvaluation.evaluate(records, new OllamaJudge(url, "llama3", 2), scores, null));
            assertTrue(e.getMessage().contains("no Ollama server answered at " + url) && e.getMessage().contains("after 2 attempts"), e.getMessage());
            assertEquals(2, Files.readAllLines(scores).size(), "the two scores received are kept");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void noServerAtAllIsOneClearMessage() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();                        // closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port + "/api/chat";
        var e = assertThrows(IOException.class, () -> new OllamaJudge(url, "llama3", 1).score(ENTRY, "x"));
        assertTrue(e.getMessage().startsWith("no Ollama server answered at " + url), e.getMessage());
    }

    @Test
    void exactMatchAndRougeL() {
        assertEquals(1.0, ResponseMetrics.exactMatch("  Jane Austen. ", "jane austen."));
        assertEquals(0.0, ResponseMetrics.exactMatch("Austen", "Jane Austen."));
        // response "the cat sat" against "the cat sat on the mat": LCS 3, P = 1, R = 0.5, F1 = 2/3
        assertEquals(2.0 / 3, ResponseMetrics.rougeL("the cat sat", "the cat sat on the mat"), 1e-12);
        assertEquals(0.0, ResponseMetrics.rougeL("dog", "the cat"));
    }
}
