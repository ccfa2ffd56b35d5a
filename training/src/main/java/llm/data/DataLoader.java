package llm.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

import llm.tensor.SeededRandom;

/**
 * Batches of a {@link Dataset} (a {@link GPTDatasetV1}, say), like PyTorch's {@code DataLoader} in Book §2.6: {@code batchSize} windows
 * per batch, optionally in a shuffled order drawn from a seeded generator (a new order each pass), and
 * optionally dropping a last batch that would be smaller than the others.
 *
 * {@snippet :
 * var loader = new DataLoader<>(new GPTDatasetV1(ids, 256, 256), 2, true, true, new SeededRandom(123));
 * for (Batch batch : loader) { ... }   // inputs and targets of shape (2, 256)
 * }
 */
public final class DataLoader<B> implements Iterable<B> {
    private final Dataset<B> dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final SeededRandom rng;

    public DataLoader(Dataset<B> dataset, int batchSize, boolean shuffle, boolean dropLast, SeededRandom rng) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be at least 1, got " + batchSize);
        if (shuffle && rng == null) throw new IllegalArgumentException("DataLoader: shuffling needs a SeededRandom");
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.rng = rng;
    }

    /** Batches per pass over the data. */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** One pass over the dataset; with shuffling, each call draws a new order. */
    @Override
    public Iterator<B> iterator() {
        int[] order;
        if (shuffle) {
            order = rng.permutation(dataset.size());
        } else {
            order = new int[dataset.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
        }
        int batches = size();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public B next() {
                if (!hasNext()) throw new NoSuchElementException();
                int from = next++ * batchSize;
                int count = Math.min(batchSize, order.length - from);
                int[] rows = new int[count];
                System.arraycopy(order, from, rows, 0, count);
                return dataset.batch(rows);
            }
        };
    }
}
