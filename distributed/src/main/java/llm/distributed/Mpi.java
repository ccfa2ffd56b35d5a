package llm.distributed;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A small binding to Open MPI's {@code libmpi} through Java's foreign function API ({@code java.lang.foreign}): no
 * JNI, no jar. It covers what data-parallel training needs: init and finalize, rank and size, all-reduce (sum) and
 * broadcast of float buffers, barrier, abort.
 *
 * <p>Open MPI's handles are addresses of exported objects ({@code MPI_COMM_WORLD} is {@code &ompi_mpi_comm_world},
 * {@code MPI_FLOAT} is {@code &ompi_mpi_float}, {@code MPI_SUM} is {@code &ompi_mpi_op_sum}); they are looked up by
 * name. After init, the world communicator's error handler is set to {@code MPI_ERRORS_RETURN}, so that a failing
 * call returns its code, which becomes an {@link MpiException} with MPI's own error string, instead of ending the
 * process. MPICH names its handles differently (integers in {@code mpi.h}) and is not supported.
 *
 * <p>One process holds one {@code Mpi}; {@link #init()} returns it.
 */
public final class Mpi implements AutoCloseable {
    /** The library names tried, in order: Open MPI 4 and 5 (the runtime package has only the versioned name). */
    static final List<String> LIBRARIES = List.of("libmpi.so.40", "libmpi.so");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);      // Open MPI's MPI_IN_PLACE, (void *) 1
    private static Mpi instance;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment commWorld, floatType, doubleType, sum;
    private final MethodHandle allreduce, bcast, barrier, abort, finalizeCall, errorString;
    private final int rank, size;
    private String whoFails = "?";          // "rank R" once the rank is known, for error messages
    private boolean finalized;

    private Mpi(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        commWorld = symbol(lib, "ompi_mpi_comm_world");
        floatType = symbol(lib, "ompi_mpi_float");
        doubleType = symbol(lib, "ompi_mpi_double");
        sum = symbol(lib, "ompi_mpi_op_sum");
        MemorySegment errorsReturn = symbol(lib, "ompi_mpi_errors_return");
        var ptr = ValueLayout.ADDRESS;
        MethodHandle init = linker.downcallHandle(symbol(lib, "MPI_Init"), FunctionDescriptor.of(INT, ptr, ptr));
        MethodHandle commRank = linker.downcallHandle(symbol(lib, "MPI_Comm_rank"), FunctionDescriptor.of(INT, ptr, ptr));
        MethodHandle commSize = linker.downcallHandle(symbol(lib, "MPI_Comm_size"), FunctionDescriptor.of(INT, ptr, ptr));
        MethodHandle setErrhandler = linker.downcallHandle(symbol(lib, "MPI_Comm_set_errhandler"), FunctionDescriptor.of(INT, ptr, ptr));
        allreduce = linker.downcallHandle(symbol(lib, "MPI_Allreduce"), FunctionDescriptor.of(INT, ptr, ptr, INT, ptr, ptr, ptr));
        bcast = linker.downcallHandle(symbol(lib, "MPI_Bcast"), FunctionDescriptor.of(INT, ptr, INT, ptr, INT, ptr));
        barrier = linker.downcallHandle(symbol(lib, "MPI_Barrier"), FunctionDescriptor.of(INT, ptr));
        abort = linker.downcallHandle(symbol(lib, "MPI_Abort"), FunctionDescriptor.of(INT, ptr, INT));
        finalizeCall = linker.downcallHandle(symbol(lib, "MPI_Finalize"), FunctionDescriptor.of(INT));
        errorString = linker.downcallHandle(symbol(lib, "MPI_Error_string"), FunctionDescriptor.of(INT, INT, ptr, ptr));

        check("MPI_Init", (int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL));
        check("MPI_Comm_set_errhandler", (int) setErrhandler.invokeExact(commWorld, errorsReturn));
        MemorySegment out = arena.allocate(INT);
        check("MPI_Comm_rank", (int) commRank.invokeExact(commWorld, out));
        rank = out.get(INT, 0);
        check("MPI_Comm_size", (int) commSize.invokeExact(commWorld, out));
        size = out.get(INT, 0);
        whoFails = Integer.toString(rank);
    }

    /**
     * Initialises MPI in this process (once; later calls return the same object). Without an MPI library the error
     * says which package to install.
     */
    public static synchronized Mpi init() {
        if (instance != null) return instance;
        SymbolLookup lib = null;
        for (String name : LIBRARIES) {
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
                break;
            } catch (IllegalArgumentException notFound) {
                // try the next name
            }
        }
        if (lib == null) {
            throw new IllegalStateException("no MPI library found (looked for " + String.join(", ", LIBRARIES) + "); install Open MPI "
                    + "(Debian and Ubuntu: apt-get install openmpi-bin) and start the job with mpirun");
        }
        try {
            instance = new Mpi(lib);
        } catch (MpiException | IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("could not bind the MPI library: " + t, t);
        }
        return instance;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Sums {@code count} floats of the native buffer {@code data} over every process, in place. */
    public void allReduceSum(MemorySegment data, int count) {
        call("MPI_Allreduce", () -> (int) allreduce.invokeExact(IN_PLACE, data, count, floatType, sum, commWorld));
    }

    /** Sums {@code count} doubles of the native buffer {@code data} over every process, in place. */
    public void allReduceSumDoubles(MemorySegment data, int count) {
        call("MPI_Allreduce", () -> (int) allreduce.invokeExact(IN_PLACE, data, count, doubleType, sum, commWorld));
    }

    /** Copies {@code count} floats of rank {@code root}'s {@code data} into every process's {@code data}. */
    public void broadcast(MemorySegment data, int count, int root) {
        call("MPI_Bcast", () -> (int) bcast.invokeExact(data, count, floatType, root, commWorld));
    }

    /** Waits until every process has called it. */
    public void barrier() {
        call("MPI_Barrier", () -> (int) barrier.invokeExact(commWorld));
    }

    /** Ends every process of the job with {@code code} (after an error on this rank: the others must not wait for it). */
    public void abort(int code) {
        try {
            int ignored = (int) abort.invokeExact(commWorld, code);
        } catch (Throwable t) {
            Runtime.getRuntime().halt(code);
        }
    }

    /** Finalises MPI (once). */
    @Override
    public synchronized void close() {
        if (finalized) return;
        finalized = true;
        call("MPI_Finalize", () -> (int) finalizeCall.invokeExact());
    }

    @FunctionalInterface
    private interface Call {
        int invoke() throws Throwable;
    }

    private void call(String name, Call c) {
        int code;
        try {
            code = c.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(name + " failed: " + t, t);
        }
        check(name, code);
    }

    private void check(String name, int code) {
        if (code == 0) return;
        String text;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256), len = a.allocate(INT);
            text = (int) errorString.invokeExact(code, buf, len) == 0 ? buf.getString(0) : "error code " + code;
        } catch (Throwable t) {
            text = "error code " + code;
        }
        throw new MpiException(name + " failed on rank " + whoFails + ": " + text, code);
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("the MPI library has no symbol " + name
                + " (this binding reads Open MPI; MPICH and others name their handles differently)"));
    }

    /** An MPI call that returned an error code, with MPI's own error string. */
    public static final class MpiException extends RuntimeException {
        private final int code;

        MpiException(String message, int code) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
