package llm.gpu;

import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * A sequence of TaskGraphs that share a few device arrays, run in order as one unit of work. TornadoVM 5.2 builds
 * each TaskGraph into an internal graph of at most 1,024 nodes (a node per task, per array written, per constant),
 * which a GPT-2 step outgrows by its third block; so the step is cut into graphs of a block or so each. The arrays
 * they share (the packed parameters, gradients, activations) stay on the device: the first graph, the <em>upload</em>,
 * copies them there once, and every later graph takes them over from the graph run before it
 * ({@code consumeFromDevice}) and keeps them there ({@code persistOnDevice}). TornadoVM hands buffers over from the
 * graph executed last, whichever it was, which is why every graph names every shared array: any graph may then follow
 * any other ({@link #run(int, int)} runs a range, as an evaluation runs the forward graphs alone).
 */
final class GraphChain implements AutoCloseable {
    private final String name;
    private final TornadoNativeArray[] shared;
    private final List<TaskGraph> graphs = new ArrayList<>();
    private final GridScheduler grids = new GridScheduler();
    private boolean anyGrid;
    private TornadoExecutionPlan plan;
    private boolean uploaded;
    private TornadoExecutionResult[] results;

    /** A chain whose graphs share {@code shared}; the upload graph copies their current contents to the device. */
    GraphChain(String name, TornadoNativeArray... shared) {
        this.name = name;
        this.shared = shared;
        TaskGraph upload = new TaskGraph(name + "0").transferToDevice(DataTransferMode.FIRST_EXECUTION, (Object[]) shared);
        for (int i = 0; i < shared.length; i++) {
            switch (shared[i]) {
                case FloatArray f -> upload.task("claim" + i, GraphChain::claim, f);
                case HalfFloatArray h -> upload.task("claim" + i, GraphChain::claimHalf, h);
                case ByteArray b -> upload.task("claim" + i, GraphChain::claimBytes, b);
                default -> throw new IllegalArgumentException("GraphChain shares float, half-float and byte arrays, not " + shared[i].getClass().getSimpleName());
            }
        }
        graphs.add(upload.persistOnDevice((Object[]) shared));
    }

    /**
     * Reads and writes back one number, so that the upload graph holds {@code a} on the device: TornadoVM allocates
     * and copies an array for a graph only when one of its tasks takes it.
     */
    static void claim(FloatArray a) {
        for (@Parallel int i = 0; i < 1; i++) a.set(0, a.get(0));
    }

    /** {@link #claim} for an array of 16-bit floats (a decoder's fp16 weights). */
    static void claimHalf(HalfFloatArray a) {
        for (@Parallel int i = 0; i < 1; i++) a.set(0, a.get(0));
    }

    /** {@link #claim} for an array of bytes (a decoder's int8 weights). */
    static void claimBytes(ByteArray a) {
        for (@Parallel int i = 0; i < 1; i++) a.set(0, a.get(0));
    }

    /** Starts the next graph, which takes the shared arrays over from the one before; returns it for its tasks. */
    TaskGraph next() {
        if (plan != null) throw new IllegalStateException("the chain is already built");
        TaskGraph g = new TaskGraph(name + graphs.size()).consumeFromDevice((Object[]) shared);
        graphs.add(g);
        return g;
    }

    /** The graph tasks are being added to. */
    TaskGraph current() {
        return graphs.get(graphs.size() - 1);
    }

    /** Index of the current graph, the last one once built (1 is the first after the upload). */
    int currentIndex() {
        return graphs.size() - 1;
    }

    /** Gives task {@code task} of the current graph the launch grid {@code grid} (a kernel that uses local memory needs one). */
    void grid(String task, WorkerGrid grid) {
        grids.addWorkerGrid(current().getTaskGraphName() + "." + task, grid);
        anyGrid = true;
    }

    /** Ends the chain: no graphs after this. */
    void build() {
        for (int i = 1; i < graphs.size(); i++) graphs.get(i).persistOnDevice((Object[]) shared);
        ImmutableTaskGraph[] snapshots = graphs.stream().map(TaskGraph::snapshot).toArray(ImmutableTaskGraph[]::new);
        plan = new TornadoExecutionPlan(snapshots);
        results = new TornadoExecutionResult[snapshots.length];
        if (anyGrid) plan.withGridScheduler(grids);                 // TornadoVM refuses an empty scheduler
    }

    /** Runs graphs {@code from} to {@code to} (inclusive) in order, uploading the shared arrays before the first run. */
    void run(int from, int to) {
        if (plan == null) throw new IllegalStateException("build() the chain first");
        if (!uploaded) {
            plan.withGraph(0).execute();
            uploaded = true;
        }
        for (int i = from; i <= to; i++) results[i] = plan.withGraph(i).execute();
    }

    /** True once a graph has run. */
    boolean started() {
        return uploaded;
    }

    /** Copies {@code arrays}, which graph {@code graph} holds (every graph holds the shared ones), back to the host; nothing before it ran. */
    void copyBack(int graph, Object... arrays) {
        if (results != null && results[graph] != null) results[graph].transferToHost(arrays);
    }

    @Override
    public void close() {
        if (plan == null) return;
        try {
            plan.close();                                  // frees the device's buffers
        } catch (Exception e) {
            throw new IllegalStateException("TornadoVM could not free the device's memory: " + e.getMessage(), e);
        }
    }
}
