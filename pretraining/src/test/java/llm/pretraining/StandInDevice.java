package llm.pretraining;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import llm.autograd.Grad;
import llm.autograd.Tensor;
import llm.data.Batch;
import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.generation.Decoder;
import llm.generation.ModelDecoder;
import llm.gpt.GPTModel;
import llm.nn.Linear;
import llm.optim.AdamW;
import llm.optim.GradientClipping;
import llm.tensor.IntNDArray;
import llm.tensor.NDArray;
import llm.tensor.SeededRandom;

/**
 * A "device" on the CPU, for checking in CI, without a GPU, the seam {@code --device gpu} trains through: what
 * {@code GpuGptTrainer} does on a GPU, with the CPU's kernels. It keeps its own copy of the model (the same head, the
 * same frozen parameters; its own arrays, as a device's memory is its own) and its own AdamW, and learns from per-token targets (-100 ignored), as the device step does.
 * Like it, it draws its dropout masks from the model's generator and leaves the generator where the CPU's step would.
 * Other modules' tests use it through this module's test jar.
 */
public final class StandInDevice implements DeviceTrainer {
    /** The accelerator whose trainer is a {@code StandInDevice} and whose decoder is the model's own. */
    public static final Accelerator ACCELERATOR = accelerator(device -> {});

    /** The same, handing each trainer it makes to {@code made} (so a test sees that the device took the steps). */
    public static Accelerator accelerator(Consumer<StandInDevice> made) {
        return new Accelerator() {
            @Override
            public String description() {
                return "stand-in";
            }

            @Override
            public Decoder decoder(GPTModel model, int window, String weights) {
                return new ModelDecoder(model, window);
            }

            @Override
            public List<String> weightFormats() {
                return List.of("fp32");
            }

            @Override
            public DeviceTrainer trainer(GPTModel model, int batch, int context, double weightDecay) {
                StandInDevice device = new StandInDevice(model, batch, context, weightDecay);
                made.accept(device);
                return device;
            }
        };
    }

    private final GPTModel model, own;
    private final AdamW opt;
    private final int b, t;
    private Tensor pending;                                    // tokenLosses' -log p, or headOutputs' outputs, for the backward

    StandInDevice(GPTModel model, int b, int t, double weightDecay) {
        this.model = model;
        own = new GPTModel(model.config(), model.tiedHead(), new SeededRandom(0));
        Linear head = model.outHead();
        if (!model.tiedHead()) own.replaceOutputHead(new Linear(head.inFeatures(), head.weight.data().dim(0), head.bias != null, new SeededRandom(0)));
        own.loadStateDict(copies(model.stateDict()));
        Map<String, Tensor> mine = own.namedParameters();
        model.namedParameters().forEach((name, p) -> mine.get(name).setRequiresGrad(p.requiresGrad()));
        opt = new AdamW(mine, 1, AdamW.Options.withWeightDecay(weightDecay));
        this.b = b;
        this.t = t;
    }

    @Override
    public Step step(int[] inputs, int[] targets, double lr, double clipNorm) {
        own.train();
        own.random().restoreState(model.random().saveState());
        opt.setLearningRate(lr);
        opt.zeroGrad();
        var loss = LanguageModelLoss.of(own).loss(batch(inputs, targets));
        loss.backward();
        double norm = clipNorm > 0 ? GradientClipping.clipGlobalNorm(opt.parameters().values(), clipNorm) : GradientClipping.globalNorm(opt.parameters().values());
        opt.step();
        model.random().restoreState(own.random().saveState());
        return new Step(loss.item(), norm);
    }

    @Override
    public double loss(int[] inputs, int[] targets) {
        own.eval();
        try (var off = Grad.off()) {
            return LanguageModelLoss.of(own).loss(batch(inputs, targets)).item();
        } finally {
            own.train();
        }
    }

    @Override
    public float[] tokenLosses(int[] inputs, int[] targets) {
        own.train();
        own.random().restoreState(model.random().saveState());
        opt.zeroGrad();
        pending = negativeLogProbs(inputs, targets);
        model.random().restoreState(own.random().saveState());
        return pending.data().toArray();
    }

    @Override
    public double update(float[] weights, double lr, double clipNorm) {
        return finish(weights, lr, clipNorm);
    }

    @Override
    public float[] headOutputs(int[] inputs) {
        own.train();
        own.random().restoreState(model.random().saveState());
        opt.zeroGrad();
        pending = own.forward(IntNDArray.of(inputs, b, t));
        model.random().restoreState(own.random().saveState());
        return pending.data().toArray();
    }

    @Override
    public double updateFromOutputs(float[] gradients, double lr, double clipNorm) {
        return finish(gradients, lr, clipNorm);
    }

    /** The backward pass of {@code Σ weights · pending}, clipping and AdamW. */
    private double finish(float[] weights, double lr, double clipNorm) {
        pending.mul(Tensor.constant(NDArray.of(weights, pending.shape()))).sum().backward();
        pending = null;
        opt.setLearningRate(lr);
        double norm = clipNorm > 0 ? GradientClipping.clipGlobalNorm(opt.parameters().values(), clipNorm) : GradientClipping.globalNorm(opt.parameters().values());
        opt.step();
        return norm;
    }

    @Override
    public float[] evalTokenLosses(int[] inputs, int[] targets) {
        own.eval();
        try (var off = Grad.off()) {
            return negativeLogProbs(inputs, targets).data().toArray();
        } finally {
            own.train();
        }
    }

    /** {@code -log p(target)} at every position {@code (B, T)}, 0 where the target is -100. */
    private Tensor negativeLogProbs(int[] inputs, int[] targets) {
        int[] picked = new int[targets.length];
        float[] counts = new float[targets.length];
        for (int i = 0; i < targets.length; i++) {
            boolean ignored = targets[i] == IGNORE_INDEX;
            picked[i] = ignored ? 0 : targets[i];
            counts[i] = ignored ? 0f : 1f;
        }
        Tensor logProbs = own.forward(IntNDArray.of(inputs, b, t)).logSoftmax(2).gather(2, IntNDArray.of(picked, b, t, 1)).reshape(b, t);
        return logProbs.mul(Tensor.constant(NDArray.of(counts, b, t))).neg();
    }

    private Batch batch(int[] inputs, int[] targets) {
        return new Batch(IntNDArray.of(inputs, b, t), IntNDArray.of(targets, b, t));
    }

    @Override
    public void copyTo(GPTModel model, Map<String, NDArray> adamState) {
        model.loadStateDict(copies(own.stateDict()));
        Map<String, NDArray> mine = opt.state();
        for (var e : adamState.entrySet()) {
            float[] src = mine.get(e.getKey()).contiguous().toArray();
            System.arraycopy(src, 0, e.getValue().storage(), e.getValue().offset(), src.length);
        }
    }

    /**
     * Copies of the arrays: {@code loadStateDict} takes a contiguous array as it is, so without copies the stand-in's
     * model and the trainer's would share their weights, and a missing sync would go unnoticed.
     */
    private static Map<String, NDArray> copies(Map<String, NDArray> state) {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        state.forEach((name, a) -> out.put(name, a.copy()));
        return out;
    }

    @Override
    public void resumeFrom(long steps, Map<String, NDArray> adamState) {
        opt.loadState(adamState, steps);
    }

    @Override
    public long steps() {
        return opt.steps();
    }

    @Override
    public void close() {}
}
