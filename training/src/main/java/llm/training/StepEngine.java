package llm.training;

/**
 * Where a {@link Trainer}'s step computes its gradients and update. By default the trainer does it on the CPU through
 * autograd and its optimiser; a device engine (module {@code gpu-tornado}, through {@code --device gpu}) keeps the
 * parameters, gradients and optimiser state on the device and takes the batch there. The trainer's loop, schedule,
 * divergence checks, evaluations, samples and checkpoints stay the same: before each of the last three it asks the
 * engine to {@link #sync()} the model and the optimiser's state back.
 *
 * @param <B> the batch type
 */
public interface StepEngine<B> {
    /**
     * One optimiser step on {@code batch} at learning rate {@code lr}, clipping the global gradient norm to
     * {@code clipNorm} (0: no clipping): the mean loss and the gradient norm before clipping.
     */
    Outcome step(B batch, double lr, double clipNorm);

    /** Copies the parameters and the optimiser's state (moments and step count) into the trainer's model and optimiser. */
    void sync();

    /** What a step reports. */
    record Outcome(double loss, double gradNorm) {}
}
