package llm.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import llm.gpt.GPTConfig;
import llm.pretraining.PretrainingData;
import llm.pretraining.PretrainingRun;
import llm.pretraining.PretrainingSettings;
import llm.pretraining.TokenizerSpec;
import llm.training.Checkpoint;
import llm.training.DataParallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data-parallel run resumed with another number of ranks (issue 14): 2 ranks train to step 2 and checkpoint; the
 * run then resumes as 1 process and as 3 ranks, from step 2, with the checkpoint's weights. The ranks are threads
 * ({@link ThreadRanks}), which do the arithmetic MPI does, so the test needs no MPI.
 */
class RanksResumeTest {
    @TempDir
    Path tmp;

    PretrainingSettings settings(Path text) throws Exception {
        TokenizerSpec tok = PretrainingData.textTokenizer(text, "char");
        GPTConfig cfg = new GPTConfig(tok.create().vocabSize(), 16, 32, 2, 1, 0f, false);
        return PretrainingSettings.builder(text.toString(), tok, cfg).batch(2).learningRate(1e-3).steps(4)
                .evaluation(0, 1).samples(0, null, 5).checkpointEvery(1).seed(3).build();
    }

    /** Runs {@code work} on {@code n} thread ranks and waits; rethrows the first failure. */
    static void onRanks(int n, RankWork work) throws Exception {
        ThreadRanks ranks = new ThreadRanks(n);
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = {null};
        for (int r = 0; r < n; r++) {
            DataParallel rank = ranks.rank(r);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    work.run(rank);
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure[0] instanceof Exception e) throw e;
        if (failure[0] != null) throw new AssertionError(failure[0]);
    }

    interface RankWork {
        void run(DataParallel rank) throws Exception;
    }

    @Test
    void aRunResumesWithAnotherNumberOfRanks() throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, Files.readString(Path.of("../data/the-verdict.txt")).substring(0, 8000));
        PretrainingSettings s = settings(text);
        Path two = tmp.resolve("two");
        onRanks(2, rank -> PretrainingRun.start(s, two, false, rank).trainer().runUntil(2));
        assertEquals("2", Checkpoint.metadata(two).get("step"));

        Path one = tmp.resolve("one"), three = tmp.resolve("three");
        Files.createDirectories(one);
        Files.createDirectories(three);
        Files.copy(two.resolve(Checkpoint.FILE_NAME), one.resolve(Checkpoint.FILE_NAME));
        Files.copy(two.resolve(Checkpoint.FILE_NAME), three.resolve(Checkpoint.FILE_NAME));

        PretrainingRun alone = PretrainingRun.resume(one, null);
        assertEquals(2, alone.trainer().stepsDone());
        alone.run();
        assertEquals("4", Checkpoint.metadata(one).get("step"));

        onRanks(3, rank -> {
            PretrainingRun r = PretrainingRun.resume(three, null, rank);
            assertEquals(2, r.trainer().stepsDone(), "rank " + rank.rank() + " resumes at step 2");
            r.run();
        });
        assertEquals("4", Checkpoint.metadata(three).get("step"));
        assertTrue(Checkpoint.isCheckpoint(three.resolve(Checkpoint.FILE_NAME)));
    }
}
