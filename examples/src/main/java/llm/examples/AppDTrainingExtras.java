package llm.examples;

import java.util.List;

import llm.autograd.Tensor;
import llm.optim.GradientClipping;
import llm.optim.LearningRateSchedule;
import llm.tensor.NDArray;

/**
 * Book Appendix D, "Adding bells and whistles to the training loop": the learning rate during a linear warmup
 * (D.1) and a cosine decay (D.2), and gradient clipping by global norm (D.3) on the book's example
 * G = [[1, 2], [2, 4]]. {@code ./llm train --warmup N --min-lr X --clip C} uses all three.
 */
public final class AppDTrainingExtras {
    private AppDTrainingExtras() {}

    public static void main(String[] args) {
        // The book: peak 5e-4 (its §5 run's scale), warmup over the first 20 % of 90 steps, cosine to 0.1 of the initial
        int total = 90, warmup = 18;
        double initial = 1e-5, peak = 5e-4, min = 0.1 * initial;
        LearningRateSchedule schedule = new LearningRateSchedule(initial, peak, min, warmup, total);
        System.out.println("step  learning rate");
        for (int step : new int[] {0, 1, 9, 17, 18, 30, 54, 72, 89}) System.out.printf("%4d  %.3e%n", step, schedule.at(step));

        Tensor weight = Tensor.parameter(NDArray.zeros(2, 2));
        weight.accumulateGrad(NDArray.of(new float[] {1, 2, 2, 4}, 2, 2));
        System.out.println("gradient before clipping: " + weight.grad());
        double norm = GradientClipping.clipGlobalNorm(List.of(weight), 1.0);
        System.out.printf("global norm %.4f; after clipping to 1.0: %s (norm %.4f)%n", norm, weight.grad(), GradientClipping.globalNorm(List.of(weight)));
    }
}
