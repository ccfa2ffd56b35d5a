package llm.cli;

import java.io.OutputStream;
import java.io.PrintStream;

import llm.distributed.Mpi;
import llm.distributed.MpiDataParallel;
import llm.training.DataParallel;

/**
 * How a command runs as one process of an MPI job ({@code mpirun -np N ./llm train --distributed ...}): MPI is
 * initialised, the other ranks' standard output is silenced (rank 0 speaks for the job), and an error on any rank
 * is printed with its rank and ends the whole job through {@code MPI_Abort}, so that no rank waits forever for one
 * that stopped.
 */
final class Distributed {
    private Distributed() {}

    @FunctionalInterface
    interface Job {
        int run(DataParallel parallel) throws Exception;
    }

    static int run(String command, Job job) throws java.io.IOException {
        Mpi mpi = Mpi.init();
        PrintStream stdout = System.out;
        if (mpi.rank() != 0) System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            int code = job.run(new MpiDataParallel(mpi));
            mpi.close();
            return code;
        } catch (Exception | Error e) {
            String what = e instanceof Exception ex ? Main.describe(ex) : e.toString();
            System.err.println("llm " + command + ": rank " + mpi.rank() + " of " + mpi.size() + ": " + Main.escape(what) + "; stopping every rank");
            System.err.flush();
            mpi.abort(2);
            return 2;
        } finally {
            System.setOut(stdout);
        }
    }
}
