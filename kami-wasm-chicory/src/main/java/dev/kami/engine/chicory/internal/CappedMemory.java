package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A guest's linear memory under KAMI's cap: Chicory's {@link ByteArrayMemory} (final, so wrapped
 * rather than extended) that remembers whether {@code memory.grow} was refused, so a trap that
 * follows is reported as {@code MEMORY_LIMIT} (docs/ABI.md "Limits and errors"). One per
 * instance, used by one thread.
 */
@SuppressWarnings("removal") // lock/waitOn/notify are deprecated in Memory but still abstract: delegated as is
final class CappedMemory implements Memory {
    /**
     * Typed as the final class, not {@code Memory}: every guest load and store passes through
     * here, and a direct call to a final class inlines whatever the JIT's type profiles say (with
     * the interface type, a CPU-bound tool ran 1.25 × raw Chicory; with this, about 1.05 ×).
     */
    private final ByteArrayMemory delegate;
    private boolean growRefused;
    /**
     * True until the first zeroing or bulk write: a fresh Java array is all zeros (JLS 4.12.5).
     * Per-value writes need no tracking: guest code cannot run before the instance is initialised.
     */
    private boolean pristine = true;

    CappedMemory(MemoryLimits limits) {
        this.delegate = new ByteArrayMemory(limits);
    }

    /** @return whether a {@code memory.grow} returned -1 during this call */
    boolean growRefused() {
        return growRefused;
    }

    @Override
    public int grow(int size) {
        int previous = delegate.grow(size);
        if (previous < 0) {
            growRefused = true;
        }
        return previous;
    }

    @Override
    public int pages() {
        return delegate.pages();
    }

    @Override
    public int initialPages() {
        return delegate.initialPages();
    }

    @Override
    public int maximumPages() {
        return delegate.maximumPages();
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public Object lock(int address) {
        return delegate.lock(address);
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    public int notify(int address, int maxThreads) {
        return delegate.notify(address, maxThreads);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        pristine = false;
        delegate.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        pristine = false;
        delegate.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        pristine = false;
        delegate.initPassiveSegment(segmentId, dest, offset, size);
    }

    @Override
    public void write(int addr, byte[] data) {
        pristine = false;
        delegate.write(addr, data);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        pristine = false;
        delegate.write(addr, data, offset, size);
    }

    @Override
    public byte read(int addr) {
        return delegate.read(addr);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        return delegate.readBytes(addr, len);
    }

    @Override
    public void writeI32(int addr, int data) {
        delegate.writeI32(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return delegate.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        delegate.writeLong(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return delegate.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        delegate.writeShort(addr, data);
    }

    @Override
    public short readShort(int addr) {
        return delegate.readShort(addr);
    }

    @Override
    public long readU16(int addr) {
        return delegate.readU16(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        delegate.writeByte(addr, data);
    }

    @Override
    public void writeF32(int addr, float data) {
        delegate.writeF32(addr, data);
    }

    @Override
    public long readF32(int addr) {
        return delegate.readF32(addr);
    }

    @Override
    public float readFloat(int addr) {
        return delegate.readFloat(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        delegate.writeF64(addr, data);
    }

    @Override
    public double readDouble(int addr) {
        return delegate.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return delegate.readF64(addr);
    }

    /**
     * Chicory's instance initialisation zeroes every memory before its data segments are copied;
     * on a memory this class just allocated that pass is pure cost (it was a fifth of a small
     * tool's call time), so it is skipped while nothing can have written yet.
     */
    @Override
    public void zero() {
        if (pristine) {
            pristine = false;
            return;
        }
        delegate.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        delegate.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        delegate.copy(dest, src, size);
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }
}
