package dev.kami.engine.chicory.component;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.kami.engine.chicory.component.CType.Field;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical ABI (component model, CanonicalABI.md) for synchronous functions and UTF-8
 * strings: sizes and alignments, flattening, loading and storing, lifting and lowering.
 *
 * <p>Java representation of values: {@code bool} Boolean; every integer type Long ({@code u64}
 * as its bits); {@code f32} Float; {@code f64} Double; {@code char} Integer (a code point);
 * {@code string} String; {@code list<u8>} byte[], other lists List; records and tuples List
 * (fields in order); variants, options and results {@link Variant}; enums Integer (the case);
 * flags Long (bit i = label i); {@code own}/{@code borrow} the resource's representation (an
 * Integer for the component's own resources, any object for the host's).
 *
 * <p>One instance per call of a lifted or lowered function: it holds the memory, the
 * {@code cabi_realloc} of the canonical options and the instance's handle table. Core values are
 * longs as Chicory passes them: an i32 in the low 32 bits, floats as their raw bits.
 */
public final class CanonicalAbi {
    /** Flattened parameters beyond this many go through memory. */
    public static final int MAX_FLAT_PARAMS = 16;
    /** Flattened results beyond this many go through memory. */
    public static final int MAX_FLAT_RESULTS = 1;

    /** A core value type of a flattened signature. */
    public enum Flat { I32, I64, F32, F64 }

    /** {@code cabi_realloc(old_ptr, old_size, align, new_size) -> ptr}. */
    @FunctionalInterface
    public interface Realloc {
        int realloc(int oldPtr, int oldSize, int align, int newSize);
    }

    private final Memory memory;
    private final Realloc realloc;
    private final ResourceTable table;
    /** Borrow handles lent for the current call, removed when it returns. */
    private final List<Integer> lent = new ArrayList<>();

    /**
     * @param memory the memory of the canonical options, or null when the function needs none
     * @param realloc the realloc of the canonical options, or null
     * @param table the component instance's handle table
     */
    public CanonicalAbi(Memory memory, Realloc realloc, ResourceTable table) {
        this.memory = memory;
        this.realloc = realloc;
        this.table = table;
    }

    // ---- layout

    /** @return the alignment of a value of type t in memory */
    public static int alignment(CType t) {
        if (t instanceof CType.Prim p) {
            return switch (p) {
                case BOOL, S8, U8 -> 1;
                case S16, U16 -> 2;
                case S32, U32, F32, CHAR, STRING -> 4;
                case S64, U64, F64 -> 8;
            };
        }
        if (t instanceof CType.ListT) {
            return 4;
        }
        if (t instanceof CType.RecordT r) {
            return maxAlign(fieldTypes(r));
        }
        if (t instanceof CType.TupleT tu) {
            return maxAlign(tu.types());
        }
        if (t instanceof CType.FlagsT f) {
            int n = f.names().size();
            return n <= 8 ? 1 : n <= 16 ? 2 : 4;
        }
        if (t instanceof CType.Own || t instanceof CType.Borrow) {
            return 4;
        }
        List<CType> cases = cases(t);
        int a = alignment(discriminantType(cases.size()));
        for (CType c : cases) {
            if (c != null) {
                a = Math.max(a, alignment(c));
            }
        }
        return a;
    }

    private static int maxAlign(List<CType> types) {
        int a = 1;
        for (CType t : types) {
            a = Math.max(a, alignment(t));
        }
        return a;
    }

    /** @return the size in bytes of a value of type t in memory */
    public static int size(CType t) {
        if (t instanceof CType.Prim p) {
            return switch (p) {
                case BOOL, S8, U8 -> 1;
                case S16, U16 -> 2;
                case S32, U32, F32, CHAR -> 4;
                case S64, U64, F64, STRING -> 8;
            };
        }
        if (t instanceof CType.ListT) {
            return 8;
        }
        if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            int s = 0;
            for (CType f : fieldTypes(t)) {
                s = alignTo(s, alignment(f)) + size(f);
            }
            return alignTo(s, alignment(t));
        }
        if (t instanceof CType.FlagsT f) {
            int n = f.names().size();
            return n == 0 ? 0 : n <= 8 ? 1 : n <= 16 ? 2 : 4 * ((n + 31) / 32);
        }
        if (t instanceof CType.Own || t instanceof CType.Borrow) {
            return 4;
        }
        List<CType> cases = cases(t);
        int s = size(discriminantType(cases.size()));
        s = alignTo(s, maxCaseAlign(cases));
        int cs = 0;
        for (CType c : cases) {
            if (c != null) {
                cs = Math.max(cs, size(c));
            }
        }
        return alignTo(s + cs, alignment(t));
    }

    private static int maxCaseAlign(List<CType> cases) {
        int a = 1;
        for (CType c : cases) {
            if (c != null) {
                a = Math.max(a, alignment(c));
            }
        }
        return a;
    }

    static int alignTo(int ptr, int alignment) {
        return (ptr + alignment - 1) / alignment * alignment;
    }

    private static CType.Prim discriminantType(int n) {
        return n <= 256 ? CType.Prim.U8 : n <= 65536 ? CType.Prim.U16 : CType.Prim.U32;
    }

    /** @return the payload types of a variant-like type (null: no payload), or throws */
    static List<CType> cases(CType t) {
        List<CType> out = new ArrayList<>();
        if (t instanceof CType.VariantT v) {
            for (Field f : v.cases()) {
                out.add(f.type());
            }
        } else if (t instanceof CType.EnumT e) {
            for (int i = 0; i < e.names().size(); i++) {
                out.add(null);
            }
        } else if (t instanceof CType.OptionT o) {
            out.add(null);
            out.add(o.type());
        } else if (t instanceof CType.ResultT r) {
            out.add(r.ok());
            out.add(r.error());
        } else {
            throw new IllegalArgumentException("not a value type: " + t.wit());
        }
        return out;
    }

    private static List<CType> fieldTypes(CType t) {
        if (t instanceof CType.TupleT tu) {
            return tu.types();
        }
        List<Field> fields = ((CType.RecordT) t).fields();
        List<CType> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            out.add(f.type());
        }
        return out;
    }

    // ---- flattening

    /** @return the core types a value of type t flattens to */
    public static List<Flat> flatten(CType t) {
        List<Flat> out = new ArrayList<>();
        flatten(t, out);
        return out;
    }

    private static void flatten(CType t, List<Flat> out) {
        if (t instanceof CType.Prim p) {
            switch (p) {
                case S64, U64 -> out.add(Flat.I64);
                case F32 -> out.add(Flat.F32);
                case F64 -> out.add(Flat.F64);
                case STRING -> {
                    out.add(Flat.I32);
                    out.add(Flat.I32);
                }
                default -> out.add(Flat.I32);
            }
        } else if (t instanceof CType.ListT) {
            out.add(Flat.I32);
            out.add(Flat.I32);
        } else if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            for (CType f : fieldTypes(t)) {
                flatten(f, out);
            }
        } else if (t instanceof CType.FlagsT f) {
            for (int i = 0; i < (f.names().size() + 31) / 32; i++) {
                out.add(Flat.I32);
            }
        } else if (t instanceof CType.Own || t instanceof CType.Borrow) {
            out.add(Flat.I32);
        } else {
            out.add(Flat.I32);
            out.addAll(variantPayload(cases(t)));
        }
    }

    private static List<Flat> variantPayload(List<CType> cases) {
        List<Flat> flat = new ArrayList<>();
        for (CType c : cases) {
            if (c == null) {
                continue;
            }
            List<Flat> f = flatten(c);
            for (int i = 0; i < f.size(); i++) {
                if (i < flat.size()) {
                    flat.set(i, join(flat.get(i), f.get(i)));
                } else {
                    flat.add(f.get(i));
                }
            }
        }
        return flat;
    }

    private static Flat join(Flat a, Flat b) {
        if (a == b) {
            return a;
        }
        if ((a == Flat.I32 && b == Flat.F32) || (a == Flat.F32 && b == Flat.I32)) {
            return Flat.I32;
        }
        return Flat.I64;
    }

    private static List<Flat> flattenAll(List<CType> types) {
        List<Flat> out = new ArrayList<>();
        for (CType t : types) {
            flatten(t, out);
        }
        return out;
    }

    /** @return the core signature of the function lifted from a core function of this type */
    public static FunctionType liftedCoreType(CType.FuncT f) {
        List<Flat> params = flattenAll(paramTypes(f));
        if (params.size() > MAX_FLAT_PARAMS) {
            params = List.of(Flat.I32);
        }
        List<Flat> results = f.result() == null ? List.of() : flatten(f.result());
        if (results.size() > MAX_FLAT_RESULTS) {
            results = List.of(Flat.I32);
        }
        return FunctionType.of(valTypes(params), valTypes(results));
    }

    /** @return the core signature of the core function a lowered function becomes */
    public static FunctionType loweredCoreType(CType.FuncT f) {
        List<Flat> params = flattenAll(paramTypes(f));
        if (params.size() > MAX_FLAT_PARAMS) {
            params = new ArrayList<>(List.of(Flat.I32));
        }
        List<Flat> results = f.result() == null ? List.of() : flatten(f.result());
        if (results.size() > MAX_FLAT_RESULTS) {
            params = new ArrayList<>(params);
            params.add(Flat.I32);
            results = List.of();
        }
        return FunctionType.of(valTypes(params), valTypes(results));
    }

    static List<CType> paramTypes(CType.FuncT f) {
        List<CType> out = new ArrayList<>(f.params().size());
        for (Field p : f.params()) {
            out.add(p.type());
        }
        return out;
    }

    private static List<ValType> valTypes(List<Flat> flats) {
        List<ValType> out = new ArrayList<>(flats.size());
        for (Flat f : flats) {
            out.add(switch (f) {
                case I32 -> ValType.I32;
                case I64 -> ValType.I64;
                case F32 -> ValType.F32;
                case F64 -> ValType.F64;
            });
        }
        return out;
    }

    // ---- calls: host calling a lifted function (export)

    /** Lowers the arguments of a call into a lifted core function (may call realloc). */
    public long[] lowerArgs(CType.FuncT f, List<Object> args) {
        List<CType> types = paramTypes(f);
        List<Flat> flat = flattenAll(types);
        if (flat.size() > MAX_FLAT_PARAMS) {
            CType.TupleT tuple = new CType.TupleT(types);
            int ptr = allocate(size(tuple), alignment(tuple));
            store(tuple, ptr, args);
            return new long[] {ptr};
        }
        Out out = new Out(flat.size());
        for (int i = 0; i < types.size(); i++) {
            lowerFlat(types.get(i), args.get(i), out);
        }
        return out.toArray();
    }

    /** Lifts the result of a lifted core function; null when the function returns nothing. */
    public Object liftResult(CType.FuncT f, long[] core) {
        if (f.result() == null) {
            return null;
        }
        if (flatten(f.result()).size() > MAX_FLAT_RESULTS) {
            return load(f.result(), (int) core[0]);
        }
        return liftFlat(f.result(), new In(core, 0));
    }

    /** Ends a call into the component: borrow handles lent for it are released. */
    public void endCall() {
        for (int h : lent) {
            table.remove(h);
        }
        lent.clear();
    }

    // ---- calls: the component calling a lowered (host) function

    /** Lifts the arguments the component passed to a lowered function. */
    public List<Object> liftArgs(CType.FuncT f, long[] core) {
        List<CType> types = paramTypes(f);
        List<Object> out = new ArrayList<>(types.size());
        if (flattenAll(types).size() > MAX_FLAT_PARAMS) {
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) load(new CType.TupleT(types), (int) core[0]);
            return values;
        }
        In in = new In(core, 0);
        for (CType t : types) {
            out.add(liftFlat(t, in));
        }
        return out;
    }

    /** Lowers a host function's result for the component: core results, or stored at the return pointer. */
    public long[] lowerResult(CType.FuncT f, long[] core, Object result) {
        if (f.result() == null) {
            return null;
        }
        List<Flat> flat = flatten(f.result());
        if (flat.size() > MAX_FLAT_RESULTS) {
            int retptr = (int) core[core.length - 1];
            store(f.result(), retptr, result);
            return null;
        }
        Out out = new Out(flat.size());
        lowerFlat(f.result(), result, out);
        return out.toArray();
    }

    // ---- flat lifting and lowering

    /** Reads flat core values in order. */
    static final class In {
        final long[] values;
        int next;

        In(long[] values, int next) {
            this.values = values;
            this.next = next;
        }

        long take() {
            if (next >= values.length) {
                throw new ComponentTrap("a core function passed " + values.length + " values where more are needed");
            }
            return values[next++];
        }
    }

    /** Collects flat core values. */
    static final class Out {
        long[] values;
        int size;

        Out(int capacity) {
            values = new long[capacity];
        }

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, Math.max(4, size * 2));
            }
            values[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** Lifts one value from flat core values. */
    public Object liftFlat(CType t, In in) {
        if (t instanceof CType.Prim p) {
            return switch (p) {
                case BOOL -> (int) in.take() != 0;
                case S8 -> (long) (byte) in.take();
                case U8 -> in.take() & 0xffL;
                case S16 -> (long) (short) in.take();
                case U16 -> in.take() & 0xffffL;
                case S32 -> (long) (int) in.take();
                case U32 -> in.take() & 0xffffffffL;
                case S64, U64 -> in.take();
                case F32 -> Float.intBitsToFloat((int) in.take());
                case F64 -> Double.longBitsToDouble(in.take());
                case CHAR -> checkChar((int) in.take());
                case STRING -> {
                    int ptr = (int) in.take();
                    int len = (int) in.take();
                    yield loadString(ptr, len);
                }
            };
        }
        if (t instanceof CType.ListT l) {
            int ptr = (int) in.take();
            int len = (int) in.take();
            return loadList(l.element(), ptr, len);
        }
        if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            List<Object> out = new ArrayList<>();
            for (CType f : fieldTypes(t)) {
                out.add(liftFlat(f, in));
            }
            return out;
        }
        if (t instanceof CType.FlagsT f) {
            long bits = 0;
            for (int i = 0; i < (f.names().size() + 31) / 32; i++) {
                bits |= (in.take() & 0xffffffffL) << (32 * i);
            }
            return bits;
        }
        if (t instanceof CType.Own o) {
            return liftOwn(o.resource(), (int) in.take());
        }
        if (t instanceof CType.Borrow b) {
            return table.rep((int) in.take(), b.resource());
        }
        List<CType> cases = cases(t);
        List<Flat> joined = variantPayload(cases);
        int index = (int) in.take();
        if (Integer.toUnsignedLong(index) >= cases.size()) {
            throw new ComponentTrap("variant case " + Integer.toUnsignedString(index) + " is out of range for "
                    + t.wit());
        }
        CType payload = cases.get(index);
        Object value = null;
        int start = in.next;
        if (payload != null) {
            List<Flat> want = flatten(payload);
            long[] coerced = new long[want.size()];
            for (int i = 0; i < want.size(); i++) {
                long v = in.take();
                Flat have = joined.get(i);
                if (have == Flat.I64 && (want.get(i) == Flat.I32 || want.get(i) == Flat.F32)) {
                    v = (int) v;
                }
                coerced[i] = v;
            }
            value = liftFlat(payload, new In(coerced, 0));
        }
        in.next = start + joined.size();
        if (t instanceof CType.EnumT) {
            return index;
        }
        return new Variant(index, value);
    }

    private Object liftOwn(CType.Resource r, int handle) {
        return table.takeOwn(handle, r);
    }

    /** Lowers one value to flat core values. */
    void lowerFlat(CType t, Object v, Out out) {
        if (t instanceof CType.Prim p) {
            switch (p) {
                case BOOL -> out.add(((Boolean) v) ? 1 : 0);
                case S8, U8, S16, U16, S32, U32 -> out.add((int) (long) (Long) v);
                case S64, U64 -> out.add((Long) v);
                case F32 -> out.add(Float.floatToRawIntBits((Float) v));
                case F64 -> out.add(Double.doubleToRawLongBits((Double) v));
                case CHAR -> out.add(checkChar((Integer) v));
                case STRING -> {
                    int[] pl = storeString((String) v);
                    out.add(pl[0]);
                    out.add(pl[1]);
                }
            }
            return;
        }
        if (t instanceof CType.ListT l) {
            int[] pl = storeList(l.element(), v);
            out.add(pl[0]);
            out.add(pl[1]);
            return;
        }
        if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            List<CType> fields = fieldTypes(t);
            List<?> values = (List<?>) v;
            for (int i = 0; i < fields.size(); i++) {
                lowerFlat(fields.get(i), values.get(i), out);
            }
            return;
        }
        if (t instanceof CType.FlagsT f) {
            long bits = (Long) v;
            for (int i = 0; i < (f.names().size() + 31) / 32; i++) {
                out.add((int) (bits >>> (32 * i)));
            }
            return;
        }
        if (t instanceof CType.Own o) {
            out.add(table.addOwn(o.resource(), v));
            return;
        }
        if (t instanceof CType.Borrow b) {
            int h = table.addBorrow(b.resource(), v);
            lent.add(h);
            out.add(h);
            return;
        }
        List<CType> cases = cases(t);
        List<Flat> joined = variantPayload(cases);
        int index;
        Object payloadValue;
        if (t instanceof CType.EnumT) {
            index = (Integer) v;
            payloadValue = null;
        } else {
            Variant var = (Variant) v;
            index = var.index();
            payloadValue = var.value();
        }
        if (index < 0 || index >= cases.size()) {
            throw new IllegalArgumentException("case " + index + " is out of range for " + t.wit());
        }
        out.add(index);
        CType payload = cases.get(index);
        int written = 0;
        if (payload != null) {
            Out inner = new Out(4);
            lowerFlat(payload, payloadValue, inner);
            List<Flat> have = flatten(payload);
            for (int i = 0; i < inner.size; i++) {
                long x = inner.values[i];
                if (joined.get(i) == Flat.I64 && (have.get(i) == Flat.I32 || have.get(i) == Flat.F32)) {
                    x &= 0xffffffffL;
                }
                out.add(x);
            }
            written = inner.size;
        }
        for (int i = written; i < joined.size(); i++) {
            out.add(0);
        }
    }

    // ---- memory

    private Memory memory() {
        if (memory == null) {
            throw new ComponentTrap("a value needs linear memory but the canonical options name none");
        }
        return memory;
    }

    private void checkRange(long ptr, long len) {
        long size = (long) memory().pages() * 65536;
        if (ptr < 0 || len < 0 || ptr + len > size) {
            throw new ComponentTrap("pointer " + ptr + " with length " + len + " lies outside the component's "
                    + "memory of " + size + " bytes");
        }
    }

    private static void checkAlign(int ptr, int align, CType t) {
        if (Integer.remainderUnsigned(ptr, align) != 0) {
            throw new ComponentTrap("pointer " + Integer.toUnsignedString(ptr) + " for " + t.wit()
                    + " is not aligned to " + align + " bytes");
        }
    }

    private int allocate(int size, int align) {
        if (realloc == null) {
            throw new ComponentTrap("a value must be copied into the component but the canonical options name no "
                    + "realloc function");
        }
        int ptr = realloc.realloc(0, 0, align, size);
        if (Integer.remainderUnsigned(ptr, align) != 0) {
            throw new ComponentTrap("cabi_realloc returned " + Integer.toUnsignedString(ptr)
                    + ", not aligned to " + align + " bytes");
        }
        checkRange(Integer.toUnsignedLong(ptr), size);
        return ptr;
    }

    private static int checkChar(int cp) {
        if (cp < 0 || cp >= 0x110000 || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw new ComponentTrap("0x" + Integer.toHexString(cp) + " is not a Unicode scalar value (char)");
        }
        return cp;
    }

    private String loadString(int ptr, int len) {
        checkRange(Integer.toUnsignedLong(ptr), Integer.toUnsignedLong(len));
        byte[] b = memory().readBytes(ptr, len);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ComponentTrap("a string of " + len + " bytes at " + Integer.toUnsignedString(ptr)
                    + " is not valid UTF-8");
        }
    }

    private int[] storeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int ptr = allocate(b.length, 1);
        memory().write(ptr, b);
        return new int[] {ptr, b.length};
    }

    private Object loadList(CType element, int ptr, int len) {
        int elemSize = size(element);
        checkAlign(ptr, alignment(element), element);
        long total = Integer.toUnsignedLong(len) * elemSize;
        checkRange(Integer.toUnsignedLong(ptr), total);
        if (element == CType.Prim.U8 || element == CType.Prim.S8) {
            byte[] b = memory().readBytes(ptr, len);
            if (element == CType.Prim.U8) {
                return b;
            }
            List<Object> out = new ArrayList<>(len);
            for (byte x : b) {
                out.add((long) x);
            }
            return out;
        }
        List<Object> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            out.add(load(element, ptr + i * elemSize));
        }
        return out;
    }

    private int[] storeList(CType element, Object v) {
        if (v instanceof byte[] b) {
            int ptr = allocate(b.length, 1);
            memory().write(ptr, b);
            return new int[] {ptr, b.length};
        }
        List<?> values = (List<?>) v;
        int elemSize = size(element);
        long total = (long) values.size() * elemSize;
        if (total > Integer.MAX_VALUE) {
            throw new ComponentTrap("a list of " + values.size() + " elements is too large to pass");
        }
        int ptr = allocate((int) total, alignment(element));
        for (int i = 0; i < values.size(); i++) {
            store(element, ptr + i * elemSize, values.get(i));
        }
        return new int[] {ptr, values.size()};
    }

    /** Loads a value of type t stored at ptr. */
    public Object load(CType t, int ptr) {
        checkAlign(ptr, alignment(t), t);
        checkRange(Integer.toUnsignedLong(ptr), size(t));
        Memory m = memory();
        if (t instanceof CType.Prim p) {
            return switch (p) {
                case BOOL -> m.read(ptr) != 0;
                case S8 -> (long) m.read(ptr);
                case U8 -> m.read(ptr) & 0xffL;
                case S16 -> (long) m.readShort(ptr);
                case U16 -> m.readShort(ptr) & 0xffffL;
                case S32 -> (long) m.readInt(ptr);
                case U32 -> m.readInt(ptr) & 0xffffffffL;
                case S64, U64 -> m.readLong(ptr);
                case F32 -> Float.intBitsToFloat(m.readInt(ptr));
                case F64 -> Double.longBitsToDouble(m.readLong(ptr));
                case CHAR -> checkChar(m.readInt(ptr));
                case STRING -> loadString(m.readInt(ptr), m.readInt(ptr + 4));
            };
        }
        if (t instanceof CType.ListT l) {
            return loadList(l.element(), m.readInt(ptr), m.readInt(ptr + 4));
        }
        if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            List<Object> out = new ArrayList<>();
            int off = ptr;
            for (CType f : fieldTypes(t)) {
                off = alignTo(off, alignment(f));
                out.add(load(f, off));
                off += size(f);
            }
            return out;
        }
        if (t instanceof CType.FlagsT f) {
            int n = f.names().size();
            if (n == 0) {
                return 0L;
            }
            if (n <= 8) {
                return m.read(ptr) & 0xffL;
            }
            if (n <= 16) {
                return m.readShort(ptr) & 0xffffL;
            }
            return m.readInt(ptr) & 0xffffffffL;
        }
        if (t instanceof CType.Own o) {
            return liftOwn(o.resource(), m.readInt(ptr));
        }
        if (t instanceof CType.Borrow b) {
            return table.rep(m.readInt(ptr), b.resource());
        }
        List<CType> cases = cases(t);
        CType.Prim dt = discriminantType(cases.size());
        long index = dt == CType.Prim.U8 ? m.read(ptr) & 0xffL : dt == CType.Prim.U16 ? m.readShort(ptr) & 0xffffL
                : m.readInt(ptr) & 0xffffffffL;
        if (index >= cases.size()) {
            throw new ComponentTrap("variant case " + index + " is out of range for " + t.wit());
        }
        CType payload = cases.get((int) index);
        Object value = null;
        if (payload != null) {
            int off = alignTo(ptr + size(dt), maxCaseAlign(cases));
            value = load(payload, off);
        }
        if (t instanceof CType.EnumT) {
            return (int) index;
        }
        return new Variant((int) index, value);
    }

    /** Stores a value of type t at ptr. */
    public void store(CType t, int ptr, Object v) {
        checkAlign(ptr, alignment(t), t);
        checkRange(Integer.toUnsignedLong(ptr), size(t));
        Memory m = memory();
        if (t instanceof CType.Prim p) {
            switch (p) {
                case BOOL -> m.writeByte(ptr, (byte) (((Boolean) v) ? 1 : 0));
                case S8, U8 -> m.writeByte(ptr, (byte) (long) (Long) v);
                case S16, U16 -> m.writeShort(ptr, (short) (long) (Long) v);
                case S32, U32 -> m.writeI32(ptr, (int) (long) (Long) v);
                case S64, U64 -> m.writeLong(ptr, (Long) v);
                case F32 -> m.writeI32(ptr, Float.floatToRawIntBits((Float) v));
                case F64 -> m.writeLong(ptr, Double.doubleToRawLongBits((Double) v));
                case CHAR -> m.writeI32(ptr, checkChar((Integer) v));
                case STRING -> {
                    int[] pl = storeString((String) v);
                    m.writeI32(ptr, pl[0]);
                    m.writeI32(ptr + 4, pl[1]);
                }
            }
            return;
        }
        if (t instanceof CType.ListT l) {
            int[] pl = storeList(l.element(), v);
            m.writeI32(ptr, pl[0]);
            m.writeI32(ptr + 4, pl[1]);
            return;
        }
        if (t instanceof CType.RecordT || t instanceof CType.TupleT) {
            List<?> values = (List<?>) v;
            int off = ptr;
            List<CType> fields = fieldTypes(t);
            for (int i = 0; i < fields.size(); i++) {
                CType f = fields.get(i);
                off = alignTo(off, alignment(f));
                store(f, off, values.get(i));
                off += size(f);
            }
            return;
        }
        if (t instanceof CType.FlagsT f) {
            long bits = (Long) v;
            int n = f.names().size();
            if (n == 0) {
                return;
            }
            if (n <= 8) {
                m.writeByte(ptr, (byte) bits);
            } else if (n <= 16) {
                m.writeShort(ptr, (short) bits);
            } else {
                m.writeI32(ptr, (int) bits);
            }
            return;
        }
        if (t instanceof CType.Own o) {
            m.writeI32(ptr, table.addOwn(o.resource(), v));
            return;
        }
        if (t instanceof CType.Borrow b) {
            int h = table.addBorrow(b.resource(), v);
            lent.add(h);
            m.writeI32(ptr, h);
            return;
        }
        List<CType> cases = cases(t);
        int index;
        Object payloadValue;
        if (t instanceof CType.EnumT) {
            index = (Integer) v;
            payloadValue = null;
        } else {
            index = ((Variant) v).index();
            payloadValue = ((Variant) v).value();
        }
        if (index < 0 || index >= cases.size()) {
            throw new IllegalArgumentException("case " + index + " is out of range for " + t.wit());
        }
        CType.Prim dt = discriminantType(cases.size());
        switch (dt) {
            case U8 -> m.writeByte(ptr, (byte) index);
            case U16 -> m.writeShort(ptr, (short) index);
            default -> m.writeI32(ptr, index);
        }
        CType payload = cases.get(index);
        if (payload != null) {
            store(payload, alignTo(ptr + size(dt), maxCaseAlign(cases)), payloadValue);
        }
    }
}
