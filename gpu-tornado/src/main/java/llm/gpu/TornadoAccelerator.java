package llm.gpu;

import llm.device.Accelerator;
import llm.device.DeviceTrainer;
import llm.generation.Decoder;
import llm.gpt.GPTModel;

/** {@code --device gpu}: this module's trainer and decoder on TornadoVM's default device (registered in {@code META-INF/services}). */
public final class TornadoAccelerator implements Accelerator {
    @Override
    public String description() {
        return "TornadoVM " + Devices.defaultDevice();
    }

    @Override
    public Decoder decoder(GPTModel model, int window) {
        return new GpuGptDecoder(model, window);
    }

    @Override
    public DeviceTrainer trainer(GPTModel model, int batch, int context, double weightDecay) {
        return new GpuGptTrainer(model, batch, context, weightDecay);
    }
}
