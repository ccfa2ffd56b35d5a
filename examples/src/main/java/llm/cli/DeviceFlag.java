package llm.cli;

import llm.device.Accelerator;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|gpu}, shared by the commands that can run on a GPU: {@code gpu} loads the accelerator of
 * module {@code gpu-tornado} (./llm puts it and TornadoVM's JVM options in place when {@code TORNADOVM_HOME} names an
 * SDK), or fails in one line saying how to get it.
 */
final class DeviceFlag {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, or gpu (TornadoVM; needs TORNADOVM_HOME, see docs/gpu.md) (default: ${DEFAULT-VALUE}).")
    String device;

    /** The accelerator for {@code --device gpu}, null for {@code cpu}; an unknown name is an error. */
    Accelerator accelerator() {
        return switch (device) {
            case "cpu" -> null;
            case "gpu" -> Accelerator.load();
            default -> throw new IllegalArgumentException("--device must be cpu or gpu, got '" + device + "'");
        };
    }
}
