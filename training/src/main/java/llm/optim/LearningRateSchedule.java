package llm.optim;

/**
 * Learning rate as a function of the optimiser step (Book Appendix D.1-D.2): a linear warmup from {@code
 * initialLr} to {@code peakLr} over {@code warmupSteps}, then a half cosine from {@code peakLr} down to {@code
 * minLr} at {@code totalSteps}. With no warmup and {@code minLr == peakLr} it is a constant rate.
 *
 * <p>The book's formulas, for step s (counted from 0):
 * <pre>
 * s &lt; warmup:  lr = initial + s · (peak − initial) / warmup
 * otherwise:   progress = (s − warmup) / (total − warmup)
 *              lr = min + (peak − min) · ½ · (1 + cos(π · progress))
 * </pre>
 */
public record LearningRateSchedule(double initialLr, double peakLr, double minLr, long warmupSteps, long totalSteps) {
    public LearningRateSchedule {
        if (!(peakLr >= 0) || !(minLr >= 0) || !(initialLr >= 0)) {
            throw new IllegalArgumentException("learning rates must be >= 0: initial " + initialLr + ", peak " + peakLr + ", min " + minLr);
        }
        if (warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmup steps (" + warmupSteps + ") <= total steps (" + totalSteps + "), total >= 1");
        }
    }

    /** A fixed rate. */
    public static LearningRateSchedule constant(double lr) {
        return new LearningRateSchedule(lr, lr, lr, 0, 1);
    }

    /** A warmup that starts at {@code peakLr / warmupSteps} and climbs to the peak, then a cosine down to {@code minLr}. */
    public static LearningRateSchedule warmupCosine(double peakLr, double minLr, long warmupSteps, long totalSteps) {
        double initial = warmupSteps == 0 ? peakLr : peakLr / warmupSteps;
        return new LearningRateSchedule(initial, peakLr, minLr, warmupSteps, totalSteps);
    }

    /** The rate for step {@code step} (0-based); past {@code totalSteps} it stays at {@code minLr}. */
    public double at(long step) {
        if (step < warmupSteps) return initialLr + step * (peakLr - initialLr) / warmupSteps;
        if (totalSteps == warmupSteps) return peakLr;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
