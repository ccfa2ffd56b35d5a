package llm.rlhf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import llm.data.DataLoader;
import llm.device.DeviceTrainer;
import llm.instruction.InstructionData;
import llm.instruction.PromptTemplate;
import llm.preference.PreferenceBatch;
import llm.preference.PreferenceDataset;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.PretrainedModel;
import llm.pretraining.StandInDevice;
import llm.tensor.SeededRandom;
import llm.tokenizer.BytePairTokenizer;
import org.junit.jupiter.api.Test;

/**
 * Reward-model training through a device step ({@code reward-model --device gpu}, {@link RewardDeviceStep}), checked
 * in CI without a GPU: on a stand-in device (autograd on its own copy of the model, learning from the gradients of the
 * head's outputs as the device does), a short run with centring gives the CPU run's evaluations and weights, every
 * step taken on the device.
 */
class RewardModelOnDeviceTest {
    @Test
    void aRunOnTheDeviceEndsWhereTheCpuRunEnds() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(RewardModelTest.PREFERENCES, true).subList(0, 24);
        var dataset = new PreferenceDataset(data, BytePairTokenizer.gpt2(), PromptTemplate.ALPACA, 50256, 64, true);

        SeededRandom rng = new SeededRandom(123);
        RewardModel cpu = RewardModel.fromBase(PretrainedModel.load(RewardModelTest.TINY_GPT2).model(), 50256, rng);
        var cpuHistory = TrainRewardModelSimple.trainRewardModelSimple(cpu, new DataLoader<PreferenceBatch>(dataset, 4, true, true, rng),
                new DataLoader<PreferenceBatch>(dataset, 4, false, false, null), 1e-3, 0.01, 0.01, 2, 4, 1, rng, null, null);

        SeededRandom again = new SeededRandom(123);
        RewardModel rm = RewardModel.fromBase(PretrainedModel.load(RewardModelTest.TINY_GPT2).model(), 50256, again);
        rm.model().requiresGrad(true);
        List<StandInDevice> devices = new ArrayList<>();
        DeviceTrainer device = StandInDevice.accelerator(devices::add).trainer(rm.model(), 8, 64, 0.01);
        var history = TrainRewardModelSimple.trainRewardModelSimple(rm, new DataLoader<PreferenceBatch>(dataset, 4, true, true, again),
                new DataLoader<PreferenceBatch>(dataset, 4, false, false, null), 1e-3, 0.01, 0.01, 2, 4, 1, again, null, null,
                optimizer -> new DeviceStepEngine<>(device, rm.model(), optimizer, new RewardDeviceStep(rm.model(), 64, 0.01)));

        assertEquals(12, devices.get(0).steps(), "every step taken on the device");
        assertEquals(cpuHistory.size(), history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(cpuHistory.get(i).train().loss(), history.get(i).train().loss(), 1e-5, "training loss at evaluation " + i);
            assertEquals(cpuHistory.get(i).val().margin(), history.get(i).val().margin(), 1e-5, "validation margin at evaluation " + i);
        }
        var a = cpu.model().namedParameters();
        double worst = 0;
        for (var e : rm.model().namedParameters().entrySet()) {
            float[] x = a.get(e.getKey()).data().contiguous().toArray(), y = e.getValue().data().contiguous().toArray();
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        // not bit for bit: the same sums in other orders, and AdamW turns rounding in a gradient near 0 into a step of
        // up to lr either way (1.1e-4 measured); a wrong gradient moves weights by about lr a step, 1.2e-2 over the run
        assertEquals(0, worst, 1e-3, "largest difference of a weight");
    }
}
