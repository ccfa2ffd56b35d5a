package llm.data;

import java.util.Iterator;

import llm.tensor.SeededRandom;

/**
 * Pass after pass over a {@link DataLoader}'s dataset as one endless stream (the book's {@code for epoch ...: for
 * input_batch, target_batch in train_loader:}), remembering where it is: the epoch, the batch within it and the
 * generator state at the start of the epoch, from which that epoch's shuffled order is drawn again on restore.
 */
public final class EpochBatches<B> implements BatchStream<B> {
    private final DataLoader<B> loader;
    private final SeededRandom rng;
    private long epoch;
    private int index;
    private long[] epochStart;
    private Iterator<B> current;

    /** @param rng the generator the loader shuffles with (the same object), or null without shuffling */
    public EpochBatches(DataLoader<B> loader, SeededRandom rng) {
        if (loader.size() == 0) throw new IllegalArgumentException("EpochBatches: the loader yields no batches (dataset smaller than one batch?)");
        this.loader = loader;
        this.rng = rng;
        startEpoch();
    }

    private void startEpoch() {
        epochStart = rng == null ? new long[0] : rng.saveState();
        current = loader.iterator();
        index = 0;
    }

    @Override
    public B next() {
        if (!current.hasNext()) {
            epoch++;
            startEpoch();
        }
        index++;
        return current.next();
    }

    /** Completed passes. */
    public long epoch() {
        return epoch;
    }

    /** Batches per pass. */
    public int batchesPerEpoch() {
        return loader.size();
    }

    @Override
    public long[] saveState() {
        long[] out = new long[2 + epochStart.length];
        out[0] = epoch;
        out[1] = index;
        System.arraycopy(epochStart, 0, out, 2, epochStart.length);
        return out;
    }

    @Override
    public void restoreState(long[] state) {
        if (state.length != 2 + epochStart.length) throw new IllegalArgumentException("EpochBatches: saved state has " + state.length + " numbers, expected " + (2 + epochStart.length));
        epoch = state[0];
        if (rng != null) rng.restoreState(java.util.Arrays.copyOfRange(state, 2, state.length));
        epochStart = rng == null ? new long[0] : rng.saveState();
        current = loader.iterator();
        int skip = (int) state[1];
        for (index = 0; index < skip; index++) current.next();
    }
}
