package llm.device;

import java.util.List;
import java.util.ServiceLoader;

import llm.generation.Decoder;
import llm.gpt.GPTModel;

/**
 * A device that trains and runs a GPT outside the CPU engine: the seam between the commands ({@code --device gpu})
 * and module {@code gpu-tornado}, which the commands do not compile against (it builds only where a TornadoVM SDK
 * is installed). The module registers its implementation with {@link ServiceLoader}; {@link #load()} finds it.
 */
public interface Accelerator {
    /** What the device is, for the run's first lines (for example the OpenCL device TornadoVM picked). */
    String description();

    /**
     * A decoder of {@code model} with a KV cache of {@code window} tokens on the device, its matrices read in
     * {@code weights}, one of {@link #weightFormats()} ({@code ./llm generate --device gpu --weights ...}).
     */
    Decoder decoder(GPTModel model, int window, String weights);

    /** The weight formats the device's decoder reads, its default (fp32) first. */
    List<String> weightFormats();

    /** A device-resident training step for batches of {@code batch} sequences of {@code context} tokens. */
    DeviceTrainer trainer(GPTModel model, int batch, int context, double weightDecay);

    /** The installed accelerator; without one, an error that says how to get it. */
    static Accelerator load() {
        return ServiceLoader.load(Accelerator.class).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "--device gpu needs a TornadoVM SDK: install one (SDKMAN 'sdk install tornadovm', or from source: docs/gpu.md), "
                        + "set TORNADOVM_HOME, and run ./llm again (it then builds and loads the gpu-tornado module)"));
    }
}
