package llm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/**
 * {@code ./llm devices}: what TornadoVM sees (issue "GPU training with TornadoVM"), by asking the SDK that
 * {@code TORNADOVM_HOME} names; without one, how to install it. The kernels themselves are in the module
 * {@code gpu-tornado}, built only where an SDK is installed.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the devices TornadoVM sees (GPUs, or OpenCL on the CPU): needs a TornadoVM SDK in TORNADOVM_HOME.")
final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        String home = System.getenv("TORNADOVM_HOME");
        Path tornado = home == null ? null : Path.of(home, "bin", "tornado");
        if (tornado == null || !Files.isExecutable(tornado)) {
            throw new IllegalArgumentException("no TornadoVM SDK" + (home == null ? " (TORNADOVM_HOME is not set)" : " at " + home)
                    + "; install one (SDKMAN: 'sdk install tornadovm', or build it from source: docs/gpu.md) and set TORNADOVM_HOME");
        }
        ProcessBuilder pb = new ProcessBuilder(tornado.toString(), "--devices").inheritIO();
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));   // the SDK's launcher wants one; this JDK 25 serves
        Process p = pb.start();
        return p.waitFor() == 0 ? 0 : 2;
    }
}
