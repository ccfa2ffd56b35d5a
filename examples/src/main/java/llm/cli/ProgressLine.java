package llm.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on the terminal: {@code [=========>          ]  45%  12.3 MB/s  ETA 0:12} (or another unit), redrawn
 * at most ten times a second. When standard error is not a terminal (a CI log), it prints a plain line every
 * ten percent instead, so logs stay readable.
 */
final class ProgressLine {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label, unit;
    private final double perUnit;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    /** Progress in bytes, shown in MB/s. */
    ProgressLine(PrintStream out, String label) {
        this(out, label, "MB/s", 1e6);
    }

    /** Progress in counts of which {@code perUnit} make one {@code unit} per second ({@code "tokens/s", 1}). */
    ProgressLine(PrintStream out, String label, String unit, double perUnit) {
        this.out = out;
        this.label = label;
        this.unit = unit;
        this.perUnit = perUnit;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    void update(long done, long total) {
        long now = System.nanoTime();
        boolean finished = done >= total;
        double seconds = Math.max((now - startNanos) / 1e9, 1e-9);
        double rate = done / perUnit / seconds;
        double fraction = total == 0 ? 1 : (double) done / total;
        String eta = rate > 0 && !finished ? formatSeconds((total - done) / perUnit / rate) : formatSeconds(0);
        if (terminal) {
            if (!finished && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            int filled = (int) (fraction * WIDTH);
            String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
            out.printf("\r%s [%s] %3.0f%%  %6.1f %s  ETA %s", label, bar, 100 * fraction, rate, unit, eta);
            if (finished) out.println();
        } else {
            int decile = (int) (fraction * 10);
            if (decile == lastDecile) return;
            lastDecile = decile;
            out.printf("%s %3.0f%%  %.1f %s  ETA %s%n", label, 100 * fraction, rate, unit, eta);
        }
        out.flush();
    }

    private static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format("%d:%02d", t / 60, t % 60);
    }
}
