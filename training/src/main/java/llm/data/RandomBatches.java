package llm.data;

import llm.tensor.IntNDArray;
import llm.tensor.SeededRandom;

/**
 * Batches at random offsets, the course's and nanoGPT's {@code get_batch}: each of the {@code B} rows starts at
 * a random position of the token stream, its input is the next {@code T} tokens and its target the {@code T}
 * tokens one further. No epochs: suited to corpora far larger than one pass of training.
 *
 * {@snippet :
 * var batches = new RandomBatches(TokenShard.open(path), 8, 256, new SeededRandom(1337));
 * Batch b = batches.next();   // (8, 256) inputs and targets
 * }
 */
public final class RandomBatches implements BatchStream<Batch> {
    private final TokenSource tokens;
    private final int batchSize;
    private final int blockSize;
    private final SeededRandom rng;

    public RandomBatches(TokenSource tokens, int batchSize, int blockSize, SeededRandom rng) {
        if (batchSize < 1 || blockSize < 1) throw new IllegalArgumentException("RandomBatches: batch " + batchSize + " and block " + blockSize + " must be positive");
        if (tokens.size() < blockSize + 1) {
            throw new IllegalArgumentException("RandomBatches: " + tokens.size() + " tokens are too few for a block of " + blockSize + " plus its target");
        }
        this.tokens = tokens;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.rng = rng;
    }

    /** A new batch; offsets are uniform in {@code [0, size - blockSize - 1]}. */
    @Override
    public Batch next() {
        long positions = tokens.size() - blockSize; // valid starts: 0 .. size - blockSize - 1
        int[] x = new int[batchSize * blockSize];
        int[] y = new int[batchSize * blockSize];
        int[] row = new int[blockSize + 1];
        for (int b = 0; b < batchSize; b++) {
            long start = (long) (rng.nextDouble() * positions);
            tokens.read(start, row, 0, blockSize + 1);
            System.arraycopy(row, 0, x, b * blockSize, blockSize);
            System.arraycopy(row, 1, y, b * blockSize, blockSize);
        }
        return new Batch(IntNDArray.of(x, batchSize, blockSize), IntNDArray.of(y, batchSize, blockSize));
    }

    /** The generator's state: the whole position of this stream. */
    @Override
    public long[] saveState() {
        return rng.saveState();
    }

    @Override
    public void restoreState(long[] state) {
        rng.restoreState(state);
    }
}
