package llm.rlhf;

/**
 * The KL coefficient β of the {@link KlPenalty}: fixed, or adaptive (Ziegler et al., 2019, section 2.2), which
 * moves β towards keeping the rollouts' KL near a target:
 * <pre>
 * e = clip(KL / target - 1, -0.2, 0.2)
 * β ← β · (1 + e · n / horizon)          (n: responses in the rollout)
 * </pre>
 * Too much KL raises β (the penalty pulls the policy back), too little lowers it.
 */
public final class KlController {
    private double value;
    private final double target;   // NaN: fixed
    private final double horizon;

    private KlController(double value, double target, double horizon) {
        if (!(value >= 0)) throw new IllegalArgumentException("KL coefficient must be >= 0, got " + value);
        this.value = value;
        this.target = target;
        this.horizon = horizon;
    }

    /** β stays at {@code value}. */
    public static KlController fixed(double value) {
        return new KlController(value, Double.NaN, 1);
    }

    /** β starts at {@code initial} and follows the KL towards {@code target} over {@code horizon} responses (10,000 in the paper). */
    public static KlController adaptive(double initial, double target, double horizon) {
        if (!(target > 0)) throw new IllegalArgumentException("target KL must be > 0, got " + target);
        if (!(horizon > 0)) throw new IllegalArgumentException("KL horizon must be > 0, got " + horizon);
        return new KlController(initial, target, horizon);
    }

    public double value() {
        return value;
    }

    public boolean isAdaptive() {
        return !Double.isNaN(target);
    }

    /** After a rollout of {@code responses} responses whose mean KL was {@code kl}. */
    public void update(double kl, int responses) {
        if (!isAdaptive()) return;
        double error = Math.max(-0.2, Math.min(0.2, kl / target - 1));
        value *= 1 + error * responses / horizon;
    }

    /** Sets β (a resumed run restores it). */
    public void restore(double beta) {
        this.value = beta;
    }
}
