package llm.gpu;

import java.util.List;

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
    public Decoder decoder(GPTModel model, int window, String weights) {
        return new GpuGptDecoder(model, window, weights);
    }

    @Override
    public List<String> weightFormats() {
        return DeviceWeights.FORMATS;
    }

    @Override
    public DeviceTrainer trainer(GPTModel model, int batch, int context, double weightDecay) {
        return new GpuGptTrainer(model, batch, context, weightDecay);
    }
}
