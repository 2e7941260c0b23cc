package dev.kami.engine.chicory.extism;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.kami.ToolErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extism's kernel, in Java, for one call: the memory blocks a plugin and its host exchange data
 * through (kept apart from the plugin's linear memory, addressed by 64-bit offsets where 0 means
 * "none"), the input, the output, the error slot and the variables. Semantics follow Extism's
 * kernel: {@code alloc(0)} and a failed allocation return 0; {@code length} of anything but an
 * active block is 0; loads outside the allocated region read 0 and stores there are ignored (its
 * bounds-checking build); a freed block is reused by a later allocation that fits. KAMI's
 * difference: allocating past the memory cap (kernel blocks plus linear memory) stops the call with
 * a memory-limit error instead of returning 0, so a plugin that ignores 0 cannot spin until its
 * deadline. Confined to the calling thread.
 */
final class ExtismKernel {
    /** Offsets start here, so 0 is never a block (Extism's kernel also starts past a header). */
    static final long BASE = 64;
    /** The most bytes all variables of one call may hold (Extism's default var limit). */
    static final long MAX_VAR_BYTES = 1024 * 1024;

    private final ExtismHost host;
    private byte[] heap = new byte[4096];
    /** Next free offset (relative to {@link #BASE}). */
    private long position;
    /** Active and freed blocks by data offset. */
    private final TreeMap<Long, Block> blocks = new TreeMap<>();
    private final TreeMap<Long, Block> freed = new TreeMap<>();
    private long inputOffset;
    private long inputLength;
    private long outputOffset;
    private long outputLength;
    private long error;
    private final Map<String, byte[]> vars = new HashMap<>();
    private long varBytes;

    private static final class Block {
        final long size;
        long used;

        Block(long size) {
            this.size = size;
            this.used = size;
        }
    }

    ExtismKernel(ExtismHost host) {
        this.host = host;
    }

    // ----- memory -----

    /** @param instance the plugin, whose linear memory counts toward the cap; null outside a call */
    long alloc(Instance instance, long n) {
        if (n <= 0) {
            return 0;
        }
        Map.Entry<Long, Block> fit = null;
        for (Map.Entry<Long, Block> e : freed.entrySet()) {
            if (e.getValue().size >= n) {
                fit = e;
                break;
            }
        }
        if (fit != null) {
            freed.remove(fit.getKey());
            fit.getValue().used = n;
            blocks.put(fit.getKey(), fit.getValue());
            Arrays.fill(heap, (int) (fit.getKey() - BASE), (int) (fit.getKey() - BASE + n), (byte) 0);
            return fit.getKey();
        }
        long linear = instance == null ? 0 : (long) instance.memory().pages() * 65536;
        long cap = host.maxMemoryBytes();
        if (position + n > cap - linear || position + n > Integer.MAX_VALUE - 16) {
            throw host.abort(ToolErrorKind.MEMORY_LIMIT, "tool '" + host.toolId() + "' asked Extism's alloc for "
                    + n + " bytes with " + position + " bytes of blocks and " + linear + " bytes of linear memory "
                    + "in use, above its memory limit of " + cap / (1024 * 1024) + " MiB (max_memory_mb)");
        }
        long offset = BASE + position;
        position += n;
        if (position > heap.length) {
            heap = Arrays.copyOf(heap, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(position, heap.length * 2L)));
        }
        blocks.put(offset, new Block(n));
        return offset;
    }

    long alloc(Instance instance, byte[] data) {
        if (data.length == 0) {
            return 0;
        }
        long offset = alloc(instance, data.length);
        System.arraycopy(data, 0, heap, (int) (offset - BASE), data.length);
        return offset;
    }

    void free(long offset) {
        Block b = blocks.remove(offset);
        if (b != null) {
            freed.put(offset, b);
            if (offset == inputOffset) {
                inputLength = 0;
            }
        }
    }

    long length(long offset) {
        Block b = blocks.get(offset);
        return b == null ? 0 : b.used;
    }

    private boolean inBounds(long offset, long len) {
        return offset >= BASE && len >= 0 && offset - BASE + len <= position;
    }

    int loadU8(long offset) {
        return inBounds(offset, 1) ? heap[(int) (offset - BASE)] & 0xff : 0;
    }

    long loadU64(long offset) {
        if (!inBounds(offset, 8)) {
            return 0;
        }
        int p = (int) (offset - BASE);
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (heap[p + k] & 0xffL);
        }
        return v;
    }

    void storeU8(long offset, int value) {
        if (inBounds(offset, 1)) {
            heap[(int) (offset - BASE)] = (byte) value;
        }
    }

    void storeU64(long offset, long value) {
        if (inBounds(offset, 8)) {
            int p = (int) (offset - BASE);
            for (int k = 0; k < 8; k++) {
                heap[p + k] = (byte) (value >>> (8 * k));
            }
        }
    }

    /** @return the bytes of the active block at {@code offset} (empty for 0 or a non-block) */
    byte[] read(long offset) {
        Block b = blocks.get(offset);
        if (b == null) {
            return new byte[0];
        }
        int p = (int) (offset - BASE);
        return Arrays.copyOfRange(heap, p, p + (int) b.used);
    }

    String readString(long offset) {
        return new String(read(offset), StandardCharsets.UTF_8);
    }

    /** @return the bytes in {@code [offset, offset+len)}, or null if that range was never allocated */
    byte[] readRange(long offset, long len) {
        if (len == 0) {
            return new byte[0];
        }
        if (!inBounds(offset, len)) {
            return null;
        }
        int p = (int) (offset - BASE);
        return Arrays.copyOfRange(heap, p, p + (int) len);
    }

    long memoryBytes() {
        return position;
    }

    // ----- input, output, error -----

    void setInput(byte[] input) {
        inputOffset = alloc(null, input);
        inputLength = input.length;
    }

    long inputOffset() {
        return inputOffset;
    }

    long inputLength() {
        return inputLength;
    }

    int inputLoadU8(long offset) {
        return offset >= 0 && offset < inputLength ? loadU8(inputOffset + offset) : 0;
    }

    long inputLoadU64(long offset) {
        return offset >= 0 && offset + 8 <= inputLength ? loadU64(inputOffset + offset) : 0;
    }

    void outputSet(long offset, long len) {
        if (len > host.maxOutputBytes()) {
            throw host.abort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + host.toolId() + "' set an output of " + len
                    + " bytes, more than its limit of " + host.maxOutputBytes() + " bytes (max_output_bytes)");
        }
        if (len == 0 || inBounds(offset, len)) {
            outputOffset = offset;
            outputLength = len;
        }
    }

    /** @return the output the plugin set, or null if none */
    byte[] output() {
        if (outputLength == 0 && outputOffset == 0) {
            return null;
        }
        byte[] out = readRange(outputOffset, outputLength);
        return out == null ? new byte[0] : out;
    }

    void errorSet(long offset) {
        if (offset == 0 || inBounds(offset, 0)) {
            error = offset;
        }
    }

    long errorGet() {
        return error;
    }

    /** Forgets input, output and error between two exports called on one instance, as Extism's reset does. */
    void reset() {
        blocks.clear();
        freed.clear();
        position = 0;
        inputOffset = inputLength = outputOffset = outputLength = error = 0;
    }

    // ----- vars -----

    byte[] var(String key) {
        return vars.get(key);
    }

    void setVar(String key, byte[] value) {
        byte[] old = value == null ? vars.remove(key) : vars.put(key, value);
        varBytes += (value == null ? 0 : value.length + key.length()) - (old == null ? 0 : old.length + key.length());
        if (varBytes > MAX_VAR_BYTES) {
            throw host.abort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + host.toolId() + "' stored more than "
                    + MAX_VAR_BYTES + " bytes in Extism variables (var_set) in one call");
        }
    }

    /** @return the {@code extism:host/env} kernel function of that name (memory, input, output, error), or null */
    HostFunction function(String name) {
        return switch (name) {
            case "alloc" -> fn(name, (inst, a) -> new long[] {alloc(inst, a[0])});
            case "free" -> fn(name, (inst, a) -> {
                free(a[0]);
                return null;
            });
            case "length", "length_unsafe" -> fn(name, (inst, a) -> new long[] {length(a[0])});
            case "load_u8" -> fn(name, (inst, a) -> new long[] {loadU8(a[0])});
            case "load_u64" -> fn(name, (inst, a) -> new long[] {loadU64(a[0])});
            case "store_u8" -> fn(name, (inst, a) -> {
                storeU8(a[0], (int) a[1]);
                return null;
            });
            case "store_u64" -> fn(name, (inst, a) -> {
                storeU64(a[0], a[1]);
                return null;
            });
            case "input_length" -> fn(name, (inst, a) -> new long[] {inputLength});
            case "input_offset" -> fn(name, (inst, a) -> new long[] {inputOffset});
            case "input_load_u8" -> fn(name, (inst, a) -> new long[] {inputLoadU8(a[0])});
            case "input_load_u64" -> fn(name, (inst, a) -> new long[] {inputLoadU64(a[0])});
            case "output_set" -> fn(name, (inst, a) -> {
                outputSet(a[0], a[1]);
                return null;
            });
            case "error_set" -> fn(name, (inst, a) -> {
                errorSet(a[0]);
                return null;
            });
            case "error_get" -> fn(name, (inst, a) -> new long[] {error});
            case "memory_bytes" -> fn(name, (inst, a) -> new long[] {memoryBytes()});
            default -> null;
        };
    }

    static HostFunction fn(String name, com.dylibso.chicory.runtime.WasmFunctionHandle h) {
        return new HostFunction(ExtismAbi.ENV, name, ExtismAbi.provided(ExtismAbi.ENV).get(name), h);
    }
}
