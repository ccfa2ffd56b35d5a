package llm.distributed;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Function;

import llm.training.DataParallel;

/**
 * One process of an MPI job ({@code mpirun -np N ...}): MPI is initialised, the standard output of every rank but
 * 0 is silenced (rank 0 speaks for the job), and an error on any rank is printed with its rank and ends the whole
 * job through {@code MPI_Abort}, so that no rank waits forever in an all-reduce for one that stopped. A rank killed
 * outright is noticed by {@code mpirun}, which ends the others.
 */
public final class MpiJob {
    private MpiJob() {}

    /** The work of one rank. */
    @FunctionalInterface
    public interface Work {
        int run(DataParallel parallel) throws Exception;
    }

    /**
     * Runs {@code work} on this rank; returns its exit code. On an error, prints {@code name: rank R of N: <describe(e)>;
     * stopping every rank} on standard error and aborts the job (which ends this process too).
     */
    public static int run(String name, Work work, Function<Throwable, String> describe) {
        Mpi mpi = Mpi.init();
        PrintStream stdout = System.out;
        if (mpi.rank() != 0) System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            int code = work.run(new MpiDataParallel(mpi));
            mpi.close();
            return code;
        } catch (Exception | Error e) {
            System.err.println(name + ": rank " + mpi.rank() + " of " + mpi.size() + ": " + describe.apply(e) + "; stopping every rank");
            System.err.flush();
            mpi.abort(2);
            return 2;
        } finally {
            System.setOut(stdout);
        }
    }
}
