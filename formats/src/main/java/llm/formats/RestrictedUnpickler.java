package llm.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle stream of a PyTorch checkpoint ({@code data.pkl} inside a {@code .pth}/{@code .bin} zip)
 * without running anything from it.
 *
 * <p>Python's unpickler calls whatever function the file names; a malicious checkpoint uses that to run code.
 * This reader implements the pickle virtual machine for the opcodes {@code torch.save} emits (protocols 2 to
 * 4: containers, numbers, strings, memo, persistent ids) and accepts exactly four callables, which it
 * interprets itself: {@code torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter} (a tensor view of a
 * storage), {@code collections.OrderedDict} (a dictionary), and the {@code torch.*Storage} types (which only
 * name an element type). Any other global, any other opcode, is refused with its name and byte offset.
 *
 * <p>Values come out as Java objects: {@code dict} → {@link Map}, {@code list} → {@link List}, {@code tuple} →
 * {@link Tuple}, {@code int} → {@link Long}, {@code float} → {@link Double}, {@code str}, {@code bool}, {@code
 * None} → {@code null}, a tensor → {@link TensorRef}.
 *
 * <p>A hostile file gets no leverage from references either: a pickle can make a list that holds itself, or a
 * few hundred bytes of lists that each hold the previous one twice (2^n paths). So nothing here walks, hashes or
 * prints a container: dictionary keys must be plain values (strings, numbers, or tuples of them), errors name a
 * value's type rather than printing it, containers may nest at most {@value #MAX_DEPTH} deep, and the machine
 * stops after {@value #MAX_OPERATIONS} opcodes.
 */
public final class RestrictedUnpickler {
    /** A Python tuple. */
    public record Tuple(List<Object> items) {}

    /** A reference to a storage in the checkpoint's {@code data/} folder. */
    public record StorageRef(String dtype, String key, long numel) {}

    /** A tensor: a strided view of a storage (the arguments of {@code _rebuild_tensor_v2}). */
    public record TensorRef(StorageRef storage, long offset, int[] shape, long[] stride) {}

    private record Global(String module, String name) {}

    /** The deepest nesting of containers accepted (a state dict nests two or three levels). */
    static final int MAX_DEPTH = 100;
    /** The most opcodes one file may run (GPT-2 XL's state dict needs about 20,000). */
    static final int MAX_OPERATIONS = 50_000_000;

    private static final Object MARK = new Object();
    private static final Set<String> STORAGES = Set.of("FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage",
            "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage");

    private final byte[] in;
    private final String source;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /** Each container's nesting depth (by identity: containers are never hashed by contents). */
    private final Map<Object, Integer> depth = new IdentityHashMap<>();
    private int operations;

    private RestrictedUnpickler(byte[] in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Unpickles {@code bytes}; {@code source} names the file in error messages. */
    public static Object load(byte[] bytes, String source) {
        return new RestrictedUnpickler(bytes, source).run();
    }

    private Object run() {
        while (true) {
            if (pos >= in.length) throw fail("ends without a STOP opcode");
            if (++operations > MAX_OPERATIONS) throw fail("runs more than " + MAX_OPERATIONS + " opcodes");
            int at = pos;
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int version = u8();
                    if (version > 5) throw fail("uses pickle protocol " + version);
                }
                case 0x95 -> pos += 8;                                     // FRAME: a length hint
                case '.' -> {                                              // STOP
                    if (stack.size() != 1) throw fail("stops with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
                case '(' -> stack.add(MARK);
                case '}' -> stack.add(container(new LinkedHashMap<>(), at)); // EMPTY_DICT
                case ']' -> stack.add(container(new ArrayList<>(), at));   // EMPTY_LIST
                case ')' -> stack.add(new Tuple(List.of()));               // EMPTY_TUPLE
                case 't' -> stack.add(container(new Tuple(popToMark()), at));             // TUPLE
                case 0x85 -> stack.add(container(new Tuple(popN(1)), at));                // TUPLE1
                case 0x86 -> stack.add(container(new Tuple(popN(2)), at));                // TUPLE2
                case 0x87 -> stack.add(container(new Tuple(popN(3)), at));                // TUPLE3
                case 'l' -> stack.add(container(new ArrayList<>(popToMark()), at));       // LIST
                case 'd' -> {                                              // DICT
                    List<Object> items = popToMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(key(items.get(i), at), items.get(i + 1));
                    stack.add(container(m, at));
                }
                case 'q' -> memo.put((long) u8(), top());                  // BINPUT
                case 'r' -> memo.put(u32(), top());                        // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), top());          // MEMOIZE
                case 'h' -> stack.add(memoGet(u8()));                      // BINGET
                case 'j' -> stack.add(memoGet(u32()));                     // LONG_BINGET
                case 'J' -> stack.add((long) le(4).getInt());              // BININT
                case 'K' -> stack.add((long) u8());                        // BININT1
                case 'M' -> stack.add((long) (le(2).getShort() & 0xFFFF)); // BININT2
                case 0x8a -> stack.add(long1());                           // LONG1
                case 'N' -> stack.add(null);                               // NONE
                case 0x88 -> stack.add(Boolean.TRUE);                      // NEWTRUE
                case 0x89 -> stack.add(Boolean.FALSE);                     // NEWFALSE
                case 'G' -> stack.add(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'X' -> stack.add(text(u32()));                        // BINUNICODE
                case 0x8c -> stack.add(text(u8()));                        // SHORT_BINUNICODE
                case 0x8d -> stack.add(text(le(8).getLong()));             // BINUNICODE8
                case 'c' -> stack.add(global(line(), line(), at));         // GLOBAL
                case 0x93 -> {                                             // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    stack.add(global(String.valueOf(module), String.valueOf(name), at));
                }
                case 'Q' -> stack.add(persistent(pop(), at));              // BINPERSID
                case 'R' -> {                                              // REDUCE
                    Object args = pop(), callable = pop();
                    stack.add(call(callable, args, at));
                }
                case 'b' -> pop();                                         // BUILD: state of an OrderedDict (_metadata), not needed
                case 's' -> {                                              // SETITEM
                    Object value = pop(), k = pop();
                    Map<Object, Object> m = dict(top(), at);
                    m.put(key(k, at), value);
                    grow(m, value, at);
                }
                case 'u' -> {                                              // SETITEMS
                    List<Object> items = popToMark();
                    Map<Object, Object> m = dict(top(), at);
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(key(items.get(i), at), items.get(i + 1));
                        grow(m, items.get(i + 1), at);
                    }
                }
                case 'a' -> {                                              // APPEND
                    Object v = pop();
                    List<Object> l = list(top(), at);
                    l.add(v);
                    grow(l, v, at);
                }
                case 'e' -> {                                              // APPENDS
                    List<Object> items = popToMark();
                    List<Object> l = list(top(), at);
                    l.addAll(items);
                    for (Object v : items) grow(l, v, at);
                }
                default -> throw fail(String.format("has opcode 0x%02x at byte %d, which a checkpoint of tensors does not need", op, at));
            }
        }
    }

    private Object global(String module, String name, int at) {
        boolean allowed = (module.equals("torch._utils") && (name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_parameter")))
                || (module.equals("collections") && name.equals("OrderedDict"))
                || (module.equals("torch") && STORAGES.contains(name));
        if (!allowed) throw fail("refers to " + module + "." + name + " at byte " + at + "; only tensor-rebuilding calls are accepted");
        return new Global(module, name);
    }

    private Object persistent(Object pid, int at) {
        // ('storage', torch.FloatStorage, key, location, numel)
        if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))
                || !(t.items().get(1) instanceof Global g) || !(t.items().get(2) instanceof String key) || !(t.items().get(4) instanceof Long numel)) {
            throw fail("has a persistent id at byte " + at + " that is not a storage reference (a " + typeName(pid) + ")");
        }
        return new StorageRef(g.name(), key, numel);
    }

    private Object call(Object callable, Object args, int at) {
        if (!(callable instanceof Global g) || !(args instanceof Tuple t)) throw fail("calls a non-function at byte " + at);
        List<Object> a = t.items();
        switch (g.name()) {
            case "OrderedDict" -> {
                return new LinkedHashMap<>();
            }
            case "_rebuild_parameter" -> {
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef tensor)) throw fail("rebuilds a parameter from a non-tensor at byte " + at);
                return tensor;
            }
            case "_rebuild_tensor_v2" -> {
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long offset)
                        || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride) || size.items().size() != stride.items().size()) {
                    throw fail("has malformed _rebuild_tensor_v2 arguments at byte " + at);
                }
                int[] shape = new int[size.items().size()];
                long[] strides = new long[shape.length];
                for (int d = 0; d < shape.length; d++) {
                    if (!(size.items().get(d) instanceof Long) || !(stride.items().get(d) instanceof Long)) {
                        throw fail("has a tensor size or stride that is not an integer at byte " + at);
                    }
                    long n = (Long) size.items().get(d);
                    if (n < 0 || n > Integer.MAX_VALUE) throw fail("has a tensor dimension of " + n + " at byte " + at);
                    shape[d] = (int) n;
                    strides[d] = (Long) stride.items().get(d);
                }
                return new TensorRef(s, offset, shape, strides);
            }
            default -> throw fail("calls " + g.module() + "." + g.name() + " at byte " + at + ", which is not a function");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw fail("sets an item on a non-dictionary at byte " + at);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw fail("appends to a non-list at byte " + at);
    }

    /**
     * A dictionary key: a plain value, or a tuple of plain values (rare in checkpoints; compared by contents).
     * Containers are refused: hashing one would walk it, and a pickle's containers may hold themselves.
     */
    private Object key(Object k, int at) {
        if (k instanceof Tuple t) {
            for (Object item : t.items()) if (!plain(item)) throw fail("uses a tuple holding a " + typeName(item) + " as a dictionary key at byte " + at);
            return t.items();
        }
        if (!plain(k)) throw fail("uses a " + typeName(k) + " as a dictionary key at byte " + at);
        return k;
    }

    private static boolean plain(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean;
    }

    /** What a value is, for messages, without printing it. */
    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Map<?, ?>) return "dictionary";
        if (o instanceof List<?>) return "list";
        if (o instanceof Tuple) return "tuple";
        if (o instanceof TensorRef) return "tensor";
        if (o instanceof String) return "string";
        if (o instanceof Long || o instanceof Double) return "number";
        return o.getClass().getSimpleName();
    }

    /** Registers a new container at the depth of its deepest item plus one. */
    private Object container(Object c, int at) {
        int d = 1;
        if (c instanceof Tuple t) for (Object item : t.items()) d = Math.max(d, depthOf(item) + 1);
        if (c instanceof List<?> l) for (Object item : l) d = Math.max(d, depthOf(item) + 1);
        if (c instanceof Map<?, ?> m) for (Object item : m.values()) d = Math.max(d, depthOf(item) + 1);
        return setDepth(c, d, at);
    }

    /** A container that gained {@code item} is at least one deeper than it. */
    private void grow(Object c, Object item, int at) {
        int d = depthOf(item) + 1;
        if (d > depthOf(c)) setDepth(c, d, at);
    }

    private int depthOf(Object o) {
        Integer d = depth.get(o);
        return d == null ? 0 : d;
    }

    private Object setDepth(Object c, int d, int at) {
        if (d > MAX_DEPTH) throw fail("nests containers more than " + MAX_DEPTH + " deep at byte " + at);
        depth.put(c, d);
        return c;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) throw fail("reads memo slot " + index + " that was never written (byte " + (pos - 1) + ")");
        return memo.get(index);
    }

    private Object top() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw fail("pops an empty stack at byte " + (pos - 1));
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object o = top();
        stack.remove(stack.size() - 1);
        return o;
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        return Arrays.asList(items);
    }

    private List<Object> popToMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) throw fail("has no MARK before byte " + (pos - 1));
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private int u8() {
        return take(1)[0] & 0xFF;
    }

    private long u32() {
        return le(4).getInt() & 0xFFFFFFFFL;
    }

    private ByteBuffer le(int n) {
        return ByteBuffer.wrap(take(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private Long long1() {
        int n = u8();
        if (n > 8) throw fail("has an integer of " + n + " bytes at byte " + pos);
        byte[] b = take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // two's complement, sign from the top byte
        return v;
    }

    private String text(long n) {
        if (n < 0 || n > in.length - pos) throw fail("has a string of " + n + " bytes at byte " + pos + " running past the end");
        return new String(take((int) n), StandardCharsets.UTF_8);
    }

    private String line() {
        int end = pos;
        while (end < in.length && in[end] != '\n') end++;
        if (end == in.length) throw fail("has an unterminated GLOBAL name at byte " + pos);
        String s = new String(in, pos, end - pos, StandardCharsets.US_ASCII);
        pos = end + 1;
        return s;
    }

    private byte[] take(int n) {
        if (n > in.length - pos) throw fail("is truncated at byte " + pos);
        byte[] b = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException("PyTorch checkpoint " + source + " " + what);
    }
}
