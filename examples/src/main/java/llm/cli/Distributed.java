package llm.cli;

import llm.distributed.MpiJob;
import llm.training.DataParallel;
import picocli.CommandLine.Option;

/**
 * The {@code --distributed} flag the training commands share (a picocli mixin): with it, the command runs as one
 * rank of an MPI job ({@link MpiJob}), its errors described and escaped as every command's are; without it, as
 * one process.
 */
final class Distributed {
    @Option(names = "--distributed", description = "Data-parallel training over MPI (Book appendix A.9): start with 'mpirun -np N ./llm ... --distributed'; "
            + "--batch is each process's share of the global batch, and rank 0 prints and writes the outputs.")
    boolean on;

    /** Runs {@code work} alone or as this process's rank of the MPI job. */
    int run(String command, MpiJob.Work work) throws Exception {
        if (!on) return work.run(DataParallel.SINGLE);
        return MpiJob.run("llm " + command, work, e -> Main.escape(e instanceof Exception ex ? Main.describe(ex) : e.toString()));
    }
}
