package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.instruction.OllamaJudge;
import llm.instruction.ResponseEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./llm judge}: Book §7.8, scoring a responses file with a judge model served by Ollama, and measures that need no server. */
@Command(name = "judge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score the responses of 'finetune-instruct --responses' with an Ollama judge (Book 7.8), and by exact match and ROUGE-L.")
final class JudgeCommand implements Callable<Integer> {
    @Option(names = "--responses", required = true, description = "instruction-data-with-response.json from 'finetune-instruct --responses'.")
    Path responses;

    @Option(names = "--url", defaultValue = OllamaJudge.DEFAULT_URL, description = "Ollama's chat endpoint (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--model", defaultValue = "llama3", description = "The judge model (default: ${DEFAULT-VALUE}, the book's).")
    String model;

    @Option(names = "--scores", description = "Where the per-record scores go, one JSON line each (default: scores.jsonl beside --responses).")
    Path scores;

    @Option(names = "--offline", description = "Only the measures that need no server.")
    boolean offline;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(responses)) throw new IllegalArgumentException("--responses: no such file: " + responses);
        var records = ResponseEvaluation.read(responses);
        Path scoresFile = scores != null ? scores : responses.toAbsolutePath().resolveSibling("scores.jsonl");
        OllamaJudge judge = offline ? null : new OllamaJudge(url, model, 3);
        var summary = ResponseEvaluation.evaluate(records, judge, scoresFile, System.out);
        System.out.printf("Number of records: %d%n", summary.records());
        System.out.printf("Exact match: %.2f%%, ROUGE-L: %.3f%n", 100 * summary.exactMatch(), summary.rougeL());
        if (!offline) System.out.printf("Average score: %.2f (%d scores in %s)%n", summary.judgeScore(), summary.judged(), scoresFile);
        return 0;
    }
}
