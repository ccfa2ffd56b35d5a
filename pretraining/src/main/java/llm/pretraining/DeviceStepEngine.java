package llm.pretraining;

import llm.data.Batch;
import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.optim.Optimizer;
import llm.training.StepEngine;

/**
 * The {@link StepEngine} of {@code ./llm train --device gpu}: each step's batch goes to a {@link DeviceTrainer} (the
 * parameters, gradients and AdamW's moments stay on the device), and before the trainer evaluates, samples or saves a
 * checkpoint the device's parameters and moments are copied into the CPU model and optimiser, so those run unchanged
 * and a checkpoint resumes on either engine.
 */
public final class DeviceStepEngine implements StepEngine<Batch> {
    private final DeviceTrainer device;
    private final GPTModel model;
    private final Optimizer optimizer;

    /** Continues from {@code optimizer}'s state (its moments and step count: zero for a new run). */
    public DeviceStepEngine(DeviceTrainer device, GPTModel model, Optimizer optimizer) {
        this.device = device;
        this.model = model;
        this.optimizer = optimizer;
        device.resumeFrom(optimizer.steps(), optimizer.state());
    }

    @Override
    public Outcome step(Batch batch, double lr, double clipNorm) {
        DeviceTrainer.Step s = device.step(batch.inputs().toArray(), batch.targets().toArray(), lr, clipNorm);
        return new Outcome(s.loss(), s.gradNorm());
    }

    @Override
    public void sync() {
        device.copyTo(model, optimizer.state());
        optimizer.loadState(optimizer.state(), device.steps());     // the moments are in place; this sets the step count
    }
}
