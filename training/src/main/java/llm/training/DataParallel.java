package llm.training;

import java.util.Collection;

import llm.autograd.Tensor;

/**
 * What a {@link Trainer} needs to be one of several identical processes of data-parallel training (Book appendix
 * A.9, PyTorch's {@code DistributedDataParallel}): every process holds the whole model, starts from rank 0's
 * parameters, computes gradients on its own rows of each global batch, and the processes average their gradients
 * before each optimiser step, so every process takes the same step. An implementation over MPI is in the module
 * {@code distributed}.
 */
public interface DataParallel {
    /** This process's number, 0 .. worldSize-1; rank 0 prints, evaluates and writes checkpoints. */
    int rank();

    /** How many processes train together. */
    int worldSize();

    /** Copies rank 0's parameter values to every process (before the first step). */
    void broadcastFromRankZero(Collection<Tensor> parameters);

    /** Replaces each parameter's gradient by its mean over the processes (an all-reduce, then a division). */
    void averageGradients(Collection<Tensor> parameters);

    /** The mean over the processes of one number (each process's loss, say). */
    double average(double value);

    /** One process alone: nothing to exchange. */
    DataParallel SINGLE = new DataParallel() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public void broadcastFromRankZero(Collection<Tensor> parameters) {}

        @Override
        public void averageGradients(Collection<Tensor> parameters) {}

        @Override
        public double average(double value) {
            return value;
        }
    };

    /** How a batch splits into rows, so that each process takes its share of a global batch. */
    interface Rows<B> {
        /** The number of rows (examples) in {@code batch}. */
        int count(B batch);

        /** Rows {@code from .. to-1}. */
        B slice(B batch, int from, int to);
    }
}
