package llm.cli;

import java.io.PrintStream;

import llm.training.Trainer;

/**
 * The training run as the user sees it: a progress bar for the steps ({@code step 12/90 [====>   ] loss 6.123
 * lr 4.0e-04 1,234 tok/s ETA 1:23}), redrawn in place on a terminal and printed every twentieth of the run in a
 * log; the book's evaluation lines; samples; checkpoint notices.
 */
final class TrainingProgress implements Trainer.Listener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean terminal;
    private final int batchesPerEpoch; // 0 when the data has no epochs
    private final long startNanos = System.nanoTime();
    private long firstStep = -1;
    private long tokensThisRun;
    private long lastDraw;
    private boolean barShown;

    TrainingProgress(PrintStream out, int batchesPerEpoch) {
        this.out = out;
        this.batchesPerEpoch = batchesPerEpoch;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    @Override
    public void onStep(Trainer.StepReport r) {
        if (firstStep < 0) firstStep = r.step() - 1;   // a resumed run starts counting where it resumed
        tokensThisRun += r.tokensInStep();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double tokPerSecond = tokensThisRun / Math.max(seconds, 1e-9);
        double stepsPerSecond = (r.step() - firstStep) / Math.max(seconds, 1e-9);
        double eta = (r.totalSteps() - r.step()) / Math.max(stepsPerSecond, 1e-9);
        double fraction = (double) r.step() / r.totalSteps();
        String line = String.format("step %d/%d [%s] loss %.3f  lr %.1e  %,.0f tok/s  ETA %s", r.step(), r.totalSteps(), bar(fraction),
                r.loss(), r.learningRate(), tokPerSecond, clock(eta));
        long now = System.nanoTime();
        if (terminal) {
            if (r.step() != r.totalSteps() && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            out.print("\r" + line + "   ");
            barShown = true;
        } else {
            long every = Math.max(1, r.totalSteps() / 20);
            if (r.step() % every == 0 || r.step() == r.totalSteps() || r.step() == firstStep + 1) out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEvaluation(Trainer.Evaluation e) {
        clear();
        String where = batchesPerEpoch > 0
                ? String.format("Ep %d (Step %06d)", (e.step() - 1) / batchesPerEpoch + 1, e.step() - 1)
                : String.format("Step %06d", e.step());
        out.printf("%s: Train loss %.3f, Val loss %.3f  (tokens seen %,d)%n", where, e.trainLoss(), e.valLoss(), e.tokensSeen());
    }

    @Override
    public void onSample(long step, String text) {
        clear();
        out.println("sample after step " + step + ": " + text.replace("\n", " "));
    }

    @Override
    public void onCheckpoint(java.nio.file.Path file, long step) {
        clear();
        out.println("checkpoint (step " + step + ") -> " + file);
    }

    /** Removes the progress bar from a terminal line, so that the next line can be printed. */
    /** Standard output whose {@code printf} lines first clear the bar, for a run's own lines (the book's evaluation lines). */
    java.io.PrintStream linesBelow() {
        return new java.io.PrintStream(System.out) {
            @Override
            public java.io.PrintStream printf(String format, Object... args) {
                clear();
                return super.printf(format, args);
            }
        };
    }

    void clear() {
        if (terminal && barShown) {
            out.print("\r" + " ".repeat(100) + "\r");
            barShown = false;
        }
    }

    private static String bar(double fraction) {
        int filled = (int) (fraction * WIDTH);
        return "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    }

    static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format("%d:%02d", t / 60, t % 60);
    }
}
