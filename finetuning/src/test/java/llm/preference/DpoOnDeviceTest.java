package llm.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import llm.device.DeviceTrainer;
import llm.gpt.GPTModel;
import llm.instruction.InstructionData;
import llm.pretraining.DeviceStepEngine;
import llm.pretraining.PretrainedModel;
import llm.pretraining.StandInDevice;
import llm.tensor.SeededRandom;
import org.junit.jupiter.api.Test;

/**
 * DPO through a device step ({@code dpo --device gpu}, {@link DpoDeviceStep}), checked in CI without a GPU: on a
 * stand-in device (autograd on its own copies of the policy and the reference, learning from per-token losses and
 * weights as the device does), a short run gives the CPU run's evaluations and weights, every step taken on the device.
 */
class DpoOnDeviceTest {
    @Test
    void aRunOnTheDeviceEndsWhereTheCpuRunEnds() throws IOException {
        List<InstructionData.Entry> data = InstructionData.read(DpoTest.PREFERENCES, true);
        GPTModel cpuPolicy = PretrainedModel.load(DpoTest.TINY_GPT2).model(), reference = PretrainedModel.load(DpoTest.TINY_GPT2).model();
        cpuPolicy.train();
        SeededRandom rng = new SeededRandom(123);
        var cpu = TrainModelDpoSimple.trainModelDpoSimple(cpuPolicy, reference, DpoTest.loader(data.subList(0, 16), true, rng),
                DpoTest.loader(data.subList(16, 24), false, null), 0.1, 1e-3, 0.01, 2, 3, 1, rng, null, null);

        GPTModel policy = PretrainedModel.load(DpoTest.TINY_GPT2).model();
        policy.train();
        List<StandInDevice> devices = new ArrayList<>();
        var accelerator = StandInDevice.accelerator(devices::add);
        DeviceTrainer frozen = accelerator.trainer(reference, 8, 64, 0), device = accelerator.trainer(policy, 8, 64, 0.01);
        SeededRandom again = new SeededRandom(123);
        var dev = TrainModelDpoSimple.trainModelDpoSimple(policy, reference, DpoTest.loader(data.subList(0, 16), true, again),
                DpoTest.loader(data.subList(16, 24), false, null), 0.1, 1e-3, 0.01, 2, 3, 1, again, null, null, llm.training.DataParallel.SINGLE,
                optimizer -> new DeviceStepEngine<>(device, policy, optimizer, new DpoDeviceStep(frozen, policy, 64, 0.1)));

        assertEquals(8, devices.get(1).steps(), "every step taken on the device");
        assertEquals(cpu.size(), dev.size());
        for (int i = 0; i < cpu.size(); i++) {
            assertEquals(cpu.get(i).trainLoss(), dev.get(i).trainLoss(), 1e-5, "training loss at evaluation " + i);
            assertEquals(cpu.get(i).valLoss(), dev.get(i).valLoss(), 1e-5, "validation loss at evaluation " + i);
            assertEquals(cpu.get(i).trainMargin(), dev.get(i).trainMargin(), 1e-5, "training margin at evaluation " + i);
        }
        var a = cpuPolicy.namedParameters();
        double worst = 0;
        for (var e : policy.namedParameters().entrySet()) {
            float[] x = a.get(e.getKey()).data().contiguous().toArray(), y = e.getValue().data().contiguous().toArray();
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        // not bit for bit: the two compute the same sums in other orders, and AdamW turns rounding in a gradient near 0
        // into a step of up to lr either way (2.8e-5 here after 8 steps at lr 1e-3)
        assertEquals(0, worst, 1e-4, "largest difference of a weight");
    }
}
