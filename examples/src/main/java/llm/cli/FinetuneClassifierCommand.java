package llm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import llm.classification.ClassifierRun;
import llm.classification.ClassifierSettings;
import llm.classification.TrainClassifierSimple;
import llm.classification.Trainable;
import llm.gpt.GPTConfig;
import llm.pretraining.PretrainedModel;
import llm.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./llm finetune-classifier}: Book chapter 6 (and Appendix E with {@code --lora-rank}): a GPT becomes a spam
 * classifier. The command checks its flags, then hands everything to {@link ClassifierRun}.
 */
@Command(name = "finetune-classifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune a GPT into a spam classifier (Book chapter 6; LoRA from Appendix E); writes the classifier, metrics and plots to --out.")
final class FinetuneClassifierCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "A folder with train.csv, validation.csv and test.csv (Label,Text), or the raw SMSSpamCollection file.")
    Path data;

    @Option(names = "--base", description = "The model to start from: a checkpoint of './llm train', or GPT-2 files (model.safetensors, pytorch_model.bin, the book's .pth).")
    Path base;

    @Option(names = "--random-init", description = "Start from random weights of --model (GPT-2's vocabulary and context, qkv bias, no dropout) instead of --base.")
    boolean randomInit;

    @Mixin
    ModelOptions model;

    @Option(names = "--trainable", defaultValue = "last-block", description = "last-block (the book's), head, all, or blocks:N (default: ${DEFAULT-VALUE}).")
    String trainable;

    @Option(names = "--lora-rank", description = "Train LoRA adapters of this rank on every linear layer instead (Appendix E uses 16).")
    Integer loraRank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA's alpha (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Messages per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--eval-every", defaultValue = "50", description = "Steps between loss evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "5", description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--max-length", description = "Pad or cut messages to this many tokens (default: the longest training message).")
    Integer maxLength;

    @Option(names = "--seed", defaultValue = "123", description = "Seed of the head, LoRA, dropout and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder: checkpoint.safetensors, adapters.safetensors (LoRA), metrics.csv, loss.png, accuracy.png.")
    Path out;

    @picocli.CommandLine.Mixin
    Distributed distributed = new Distributed();

    @Mixin
    DeviceFlag device = new DeviceFlag();

    @Override
    public Integer call() throws Exception {
        return distributed.run("finetune-classifier", this::work);
    }

    private int work(llm.training.DataParallel parallel) throws IOException {
        if (loraRank != null && loraRank < 1) throw new IllegalArgumentException("--lora-rank must be at least 1, got " + loraRank);
        int rank = loraRank == null ? 0 : loraRank;
        if (rank > 0 && !(loraAlpha > 0)) throw new IllegalArgumentException("--lora-alpha must be > 0, got " + loraAlpha);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (evalEvery < 0 || evalBatches < 0) throw new IllegalArgumentException("--eval-every and --eval-batches must be >= 0");
        if (maxLength != null && maxLength < 1) throw new IllegalArgumentException("--max-length must be at least 1, got " + maxLength);
        Trainable parts;
        try {
            parts = Trainable.parse(trainable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--trainable: " + e.getMessage());
        }
        if ((base == null) == !randomInit) throw new IllegalArgumentException("give either --base PATH or --random-init");
        if (!Files.exists(data)) throw new IllegalArgumentException("--data: no such file or folder: " + data);
        TrainCommand.checkWritable(out);
        if (Files.exists(out.resolve("checkpoint.safetensors"))) throw new IllegalArgumentException("--out: " + out + " already holds a checkpoint; choose another folder");
        llm.device.Accelerator accelerator = device.accelerator();
        if (accelerator != null && rank > 0) throw new IllegalArgumentException("--device gpu trains the model's own weights; LoRA adapters are not on the device: drop --lora-rank");
        PretrainedModel start = randomInit ? PretrainedModel.randomInit(model.config(GPTConfig.GPT2_SMALL.vocabSize(), 1024, 0f, true), seed) : PretrainedModel.load(base);
        ClassifierSettings settings = new ClassifierSettings(epochs, batch, lr, weightDecay, evalEvery, evalBatches, maxLength, parts, rank, loraAlpha, seed);
        ClassifierRun run = new ClassifierRun(start, data, settings, parallel);
        if (accelerator != null) {
            run.onDevice(accelerator);
            System.out.println("device: " + accelerator.description());
        }
        long[] counts = run.parameterCounts();
        System.out.printf("base: %s%n", start.description());
        System.out.printf("data: %d training messages padded to %d tokens, %d batches per epoch%n", run.trainDataset().size(),
                run.trainDataset().maxLength(), run.batchesPerEpoch());
        System.out.printf("trainable parameters: %,d of %,d (%s)%n", counts[0], counts[1], rank > 0 ? "LoRA rank " + rank + ", alpha " + loraAlpha : parts);
        TrainingProgress progress = new TrainingProgress(System.out, run.batchesPerEpoch());
        TrainClassifierSimple.Listener book = TrainClassifierSimple.printing(System.out, run.batchesPerEpoch());
        ClassifierRun.Result r = run.run(out, new TrainClassifierSimple.Listener() {
            @Override public void onStep(Trainer.StepReport s) { progress.onStep(s); }
            @Override public void onEvaluation(Trainer.Evaluation e) { progress.clear(); book.onEvaluation(e); }
            @Override public void onEpoch(int epoch, double train, double val) { progress.clear(); book.onEpoch(epoch, train, val); }
        });
        progress.clear();
        if (r == null) return 0;                                    // not rank 0: rank 0 reports
        System.out.printf("Training completed in %.2f minutes.%n", r.seconds() / 60);
        ClassifierRun.printAccuracies(r, System.out);
        System.out.println("wrote " + out.resolve("checkpoint.safetensors") + (rank > 0 ? ", adapters.safetensors" : "") + ", metrics.csv, loss.png, accuracy.png");
        return 0;
    }
}
