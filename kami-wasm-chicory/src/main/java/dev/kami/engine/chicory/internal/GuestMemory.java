package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A guest's linear memory: one flat {@code byte[]} per call, with the KAMI engine's bookkeeping
 * built in (docs/adr/0106).
 *
 * <ul>
 *   <li>Every access is checked against the memory's current size; an access outside it traps
 *       with Chicory's {@code "out of bounds memory access"}, as Chicory's own memories do.
 *   <li>The array grows by doubling (never past the cap), so a guest that grows one page at a time
 *       copies its memory a logarithmic number of times, not once per page.
 *   <li>A {@code memory.grow} refused by the cap is recorded ({@link #growRefused()}), so that a
 *       trap after it is reported as a memory limit rather than a plain trap.
 *   <li>The first {@link #zero()} (which Chicory calls while instantiating, before any guest code
 *       runs) is skipped: the JVM hands out new arrays zeroed. Bulk host writes before it clear
 *       the skip; typed stores ({@code writeI32} and the like, the guest's hot path) do not, so
 *       nothing may store through them before instantiation: the engine never builds an
 *       instance with {@code withInitialize(false)}, the only way to do that.
 *   <li>Not shared: atomics run on one thread, {@code memory.atomic.wait} traps as the spec says
 *       for an unshared memory, {@code notify} wakes nobody.
 * </ul>
 *
 * <p>One memory per instance per call; not thread-safe (neither is a Chicory instance).
 */
@SuppressWarnings("removal") // lock/waitOn/notify are deprecated in Memory but still abstract
final class GuestMemory implements Memory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final int initialPages;
    private final int maximumPages;
    private byte[] bytes;
    private int size; // bytes in use: pages() * PAGE_SIZE; bytes.length may be larger
    private DataSegment[] segments = new DataSegment[0];
    private boolean growRefused;
    private boolean fresh = true;

    /**
     * @param limits the initial size, which is allocated, and the cap, which no grow passes
     *     (bounded by {@link Memory#RUNTIME_MAX_PAGES}: a Java array holds at most 2 GiB)
     */
    GuestMemory(MemoryLimits limits) {
        this.initialPages = limits.initialPages();
        this.maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        if (initialPages > maximumPages) {
            throw new WasmRuntimeException("the module's initial memory of " + initialPages + " pages ("
                    + initialPages / 16 + " MiB) exceeds the " + maximumPages + " pages (" + maximumPages / 16
                    + " MiB) an instance can hold here; build the tool with a smaller initial memory");
        }
        this.size = Memory.bytes(initialPages);
        this.bytes = new byte[size];
    }

    /** @return whether a {@code memory.grow} was refused because it would pass the cap */
    boolean growRefused() {
        return growRefused;
    }

    private WasmRuntimeException outOfBounds(long addr, long length) {
        return new WasmRuntimeException("out of bounds memory access: attempted to access address " + addr
                + " (" + length + " bytes) but the memory holds " + size + " bytes");
    }

    /** Traps unless {@code [addr, addr + length)} lies inside the memory. */
    private void check(int addr, int length) {
        if (addr < 0 || length < 0 || addr > size - length) {
            throw outOfBounds(Integer.toUnsignedLong(addr), Integer.toUnsignedLong(length));
        }
    }

    @Override
    public int pages() {
        return size >>> 16;
    }

    @Override
    public int grow(int delta) {
        int before = pages();
        long after = (long) before + Integer.toUnsignedLong(delta);
        if (after > maximumPages) {
            growRefused = true;
            return -1;
        }
        int newSize = Memory.bytes((int) after);
        if (newSize > bytes.length) {
            long doubled = Math.max((long) bytes.length * 2, newSize);
            int capacity = (int) Math.min(doubled, (long) Memory.bytes(maximumPages));
            bytes = Arrays.copyOf(bytes, capacity);
        }
        size = newSize;
        return before;
    }

    @Override
    public int initialPages() {
        return initialPages;
    }

    @Override
    public int maximumPages() {
        return maximumPages;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public Object lock(int address) {
        return this;
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        throw new WasmRuntimeException("expected shared memory: memory.atomic.wait32 on an unshared memory");
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        throw new WasmRuntimeException("expected shared memory: memory.atomic.wait64 on an unshared memory");
    }

    @Override
    public int notify(int address, int maxThreads) {
        check(address, 4);
        return 0;
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        fresh = false;
        if (dataSegments == null) {
            return;
        }
        // the instance's own array: data.drop (Instance.dropDataSegment) empties entries of it
        segments = dataSegments;
        for (DataSegment segment : segments) {
            if (segment instanceof ActiveDataSegment active && active.index() == memoryIndex) {
                int offset = (int) ConstantEvaluators.computeConstantValue(instance, active.offsetInstructions())[0];
                byte[] data = active.data();
                if (offset < 0 || offset > size - data.length) { // the module cannot be instantiated
                    throw new UninstantiableException("out of bounds memory access: a data segment of "
                            + data.length + " bytes at offset " + Integer.toUnsignedLong(offset)
                            + " does not fit in the memory of " + size + " bytes");
                }
                System.arraycopy(data, 0, bytes, offset, data.length);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int length) {
        if (segmentId < 0 || segmentId >= segments.length) {
            throw new WasmRuntimeException("unknown data segment " + segmentId);
        }
        byte[] data = segments[segmentId].data();
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new WasmRuntimeException("out of bounds memory access: memory.init of " + Integer.toUnsignedLong(length)
                    + " bytes from offset " + Integer.toUnsignedLong(offset) + " of data segment " + segmentId
                    + ", which holds " + data.length + " bytes (0 once dropped)");
        }
        check(dest, length);
        fresh = false;
        System.arraycopy(data, offset, bytes, dest, length);
    }

    @Override
    public void drop(int segment) {
        if (segment >= 0 && segment < segments.length) {
            segments[segment] = PassiveDataSegment.EMPTY;
        }
    }

    @Override
    public void write(int addr, byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("source range " + offset + "+" + length + " outside " + data.length
                    + " bytes");
        }
        check(addr, length);
        fresh = false;
        System.arraycopy(data, offset, bytes, addr, length);
    }

    @Override
    public byte read(int addr) {
        check(addr, 1);
        return bytes[addr];
    }

    @Override
    public byte[] readBytes(int addr, int length) {
        check(addr, length);
        return Arrays.copyOfRange(bytes, addr, addr + length);
    }

    @Override
    public void writeI32(int addr, int data) {
        check(addr, 4);
        INT.set(bytes, addr, data);
    }

    @Override
    public int readInt(int addr) {
        check(addr, 4);
        return (int) INT.get(bytes, addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        check(addr, 8);
        LONG.set(bytes, addr, data);
    }

    @Override
    public long readLong(int addr) {
        check(addr, 8);
        return (long) LONG.get(bytes, addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        check(addr, 2);
        SHORT.set(bytes, addr, data);
    }

    @Override
    public short readShort(int addr) {
        check(addr, 2);
        return (short) SHORT.get(bytes, addr);
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeByte(int addr, byte data) {
        check(addr, 1);
        bytes[addr] = data;
    }

    @Override
    public void writeF32(int addr, float data) {
        writeI32(addr, Float.floatToRawIntBits(data));
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public float readFloat(int addr) {
        return Float.intBitsToFloat(readInt(addr));
    }

    @Override
    public void writeF64(int addr, double data) {
        writeLong(addr, Double.doubleToRawLongBits(data));
    }

    @Override
    public double readDouble(int addr) {
        return Double.longBitsToDouble(readLong(addr));
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public void zero() {
        if (fresh) {
            fresh = false; // the first zero() comes while instantiating: the array is new, hence zeroed
            return;
        }
        Arrays.fill(bytes, 0, size, (byte) 0);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        check(fromIndex, toIndex - fromIndex);
        fresh = false;
        Arrays.fill(bytes, fromIndex, toIndex, value);
    }

    @Override
    public void copy(int dest, int src, int length) {
        check(src, length);
        check(dest, length);
        fresh = false;
        System.arraycopy(bytes, src, bytes, dest, length);
    }
}
