package llm.training;

/** Training stopped because the loss or the gradient norm stopped being a finite number. */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The optimiser step (1-based) whose loss or gradients were not finite; it was not applied. */
    public long step() {
        return step;
    }
}
