package dev.kami.engine.chicory.component;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;

/**
 * One of several memories a component defines, drawing its pages from a budget they share, so
 * that {@code max_memory_mb} caps them together. Used only when a component defines more than
 * one memory (the toolchains' output defines one, which gets the engine's memory directly and
 * pays nothing for this). Delegates every access; {@link #grow} checks the budget first.
 */
@SuppressWarnings("removal") // lock/waitOn/notify are deprecated in Memory but still abstract
final class BudgetedMemory implements Memory {
    /** Pages in use by all the component's memories, and the cap. */
    static final class Budget {
        final long cap;
        long used;
        boolean refused;

        Budget(long cap) {
            this.cap = cap;
        }
    }

    private final Memory inner;
    private final Budget budget;

    BudgetedMemory(Memory inner, Budget budget) {
        this.inner = inner;
        this.budget = budget;
    }

    @Override
    public int grow(int delta) {
        long d = Integer.toUnsignedLong(delta);
        if (budget.used + d > budget.cap) {
            budget.refused = true;
            return -1;
        }
        int before = inner.grow(delta);
        if (before >= 0) {
            budget.used += d;
        }
        return before;
    }

    @Override
    public int pages() {
        return inner.pages();
    }

    @Override
    public int initialPages() {
        return inner.initialPages();
    }

    @Override
    public int maximumPages() {
        return inner.maximumPages();
    }

    @Override
    public boolean shared() {
        return inner.shared();
    }

    @Override
    public Object lock(int address) {
        return inner.lock(address);
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        return inner.waitOn(address, expected, timeout);
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        return inner.waitOn(address, expected, timeout);
    }

    @Override
    public int notify(int address, int maxThreads) {
        return inner.notify(address, maxThreads);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        inner.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        inner.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int length) {
        inner.initPassiveSegment(segmentId, dest, offset, length);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int length) {
        inner.write(addr, data, offset, length);
    }

    @Override
    public byte read(int addr) {
        return inner.read(addr);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        return inner.readBytes(addr, len);
    }

    @Override
    public void writeI32(int addr, int data) {
        inner.writeI32(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return inner.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        inner.writeLong(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return inner.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        inner.writeShort(addr, data);
    }

    @Override
    public short readShort(int addr) {
        return inner.readShort(addr);
    }

    @Override
    public long readU16(int addr) {
        return inner.readU16(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        inner.writeByte(addr, data);
    }

    @Override
    public void writeF32(int addr, float data) {
        inner.writeF32(addr, data);
    }

    @Override
    public long readF32(int addr) {
        return inner.readF32(addr);
    }

    @Override
    public float readFloat(int addr) {
        return inner.readFloat(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        inner.writeF64(addr, data);
    }

    @Override
    public double readDouble(int addr) {
        return inner.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return inner.readF64(addr);
    }

    @Override
    public void zero() {
        inner.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        inner.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        inner.copy(dest, src, size);
    }

    @Override
    public void drop(int segment) {
        inner.drop(segment);
    }
}
