package llm.cli;

import llm.distributed.MpiJob;

/** A command run as one rank of an MPI job ({@link MpiJob}), its errors described and escaped as every command's are. */
final class Distributed {
    private Distributed() {}

    static int run(String command, MpiJob.Work work) {
        return MpiJob.run("llm " + command, work, e -> Main.escape(e instanceof Exception ex ? Main.describe(ex) : e.toString()));
    }
}
