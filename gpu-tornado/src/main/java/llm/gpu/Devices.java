package llm.gpu;

import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/** What TornadoVM sees: each backend and its devices, one line each, the default first. */
public final class Devices {
    private Devices() {}

    /** The device kernels run on when none is chosen: its name and backend. */
    public static String defaultDevice() {
        var device = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice();
        return device.getPhysicalDevice().getDeviceName() + " (" + device.getTornadoVMBackend() + ")";
    }

    public static void main(String[] args) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            var backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                var device = backend.getDevice(d);
                System.out.printf("%d:%d  %s  %s  (%,d MB global memory)%n", b, d, backend.getBackendType(), device.getPhysicalDevice().getDeviceName(),
                        device.getPhysicalDevice().getDeviceGlobalMemorySize() >> 20);
            }
        }
    }
}
