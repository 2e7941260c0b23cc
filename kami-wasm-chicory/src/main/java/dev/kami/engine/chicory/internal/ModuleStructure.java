package dev.kami.engine.chicory.internal;

import dev.kami.ModuleRejectedException;
import dev.kami.policy.ModuleLimits;
import java.util.HashSet;
import java.util.Set;

/**
 * The size of a module read from its raw bytes, section by section, before Chicory parses it:
 * parsing a hostile module is itself costly (a 7 MB function takes Chicory about 1.3 GB to
 * decode), so the structural limits of {@link ModuleLimits} are checked on the counts and sizes
 * the binary format states up front (docs/adr/0107). Reads only; allocates nothing per function.
 * Bytes it cannot follow are left to the parser, which reports them as malformed.
 *
 * @param functions functions the module defines
 * @param functionImports functions it imports (function indices of defined functions start here)
 * @param largeFunctions function indices (imports included) of bodies above {@code interpretAboveBytes}
 * @param codeBytes the size of the code section
 */
record ModuleStructure(int functions, int functionImports, Set<Integer> largeFunctions, long codeBytes) {
    /** Heap a compile takes per byte of code, measured on Chicory 1.7.5 (docs/adr/0107). */
    static final long HEAP_PER_CODE_BYTE = 64;
    /** Heap a compile takes per function, measured likewise. */
    static final long HEAP_PER_FUNCTION = 4096;

    private static final int TYPE = 1;
    private static final int IMPORT = 2;
    private static final int FUNCTION = 3;
    private static final int TABLE = 4;
    private static final int GLOBAL = 6;
    private static final int EXPORT = 7;
    private static final int ELEMENT = 9;
    private static final int CODE = 10;
    private static final int DATA = 11;

    /**
     * @throws ModuleRejectedException naming the first limit the module exceeds, with its figure
     */
    static ModuleStructure check(String toolId, byte[] bytes, ModuleLimits limits) {
        Reader r = new Reader(bytes, 8);
        int functions = 0;
        int functionImports = 0;
        Set<Integer> large = new HashSet<>();
        long codeBytes = 0;
        try {
            while (r.pos < bytes.length) {
                int id = r.u8();
                long size = r.u32();
                int end = (int) Math.min(bytes.length, r.pos + size);
                if (size > bytes.length) {
                    break; // truncated: the parser says so
                }
                switch (id) {
                    case TYPE -> types(toolId, r, limits);
                    case IMPORT -> functionImports = imports(toolId, r, limits);
                    case FUNCTION -> functions = (int) limit(toolId, r.u32(), limits.maxFunctions(), "functions",
                            "maxFunctions");
                    case TABLE -> limit(toolId, r.u32(), limits.maxTables(), "tables", "maxTables");
                    case GLOBAL -> limit(toolId, r.u32(), limits.maxGlobals(), "globals", "maxGlobals");
                    case EXPORT -> limit(toolId, r.u32(), limits.maxExports(), "exports", "maxExports");
                    case ELEMENT -> limit(toolId, r.u32(), limits.maxElementSegments(), "element segments",
                            "maxElementSegments");
                    case DATA -> limit(toolId, r.u32(), limits.maxDataSegments(), "data segments",
                            "maxDataSegments");
                    case CODE -> {
                        codeBytes = size;
                        code(toolId, r, size, limits, functionImports, large);
                    }
                    default -> { }
                }
                r.pos = end;
            }
        } catch (IndexOutOfBoundsException e) {
            // truncated or malformed: Chicory's parser reports it with its own words
        }
        return new ModuleStructure(functions, functionImports, Set.copyOf(large), codeBytes);
    }

    /** @return about how much heap compiling this module to JVM bytecode takes */
    long compileHeapEstimate() {
        return HEAP_PER_CODE_BYTE * codeBytes + HEAP_PER_FUNCTION * functions;
    }

    private static void types(String toolId, Reader r, ModuleLimits limits) {
        long count = limit(toolId, r.u32(), limits.maxTypes(), "types", "maxTypes");
        for (long i = 0; i < count; i++) {
            if (r.u8() != 0x60) {
                return; // not a plain function type (GC proposal): the parser decides
            }
            for (String what : new String[] {"parameters", "results"}) {
                long n = r.u32();
                if (n > limits.maxParams()) {
                    throw refused(toolId, "type " + i + " has " + n + " " + what, limits.maxParams(), "maxParams");
                }
                for (long k = 0; k < n; k++) {
                    valType(r);
                }
            }
        }
    }

    private static void valType(Reader r) {
        int t = r.u8();
        if (t == 0x63 || t == 0x64) { // (ref null? ht): a heap type follows
            r.s33();
        }
    }

    private static int imports(String toolId, Reader r, ModuleLimits limits) {
        long count = limit(toolId, r.u32(), limits.maxImports(), "imports", "maxImports");
        int functions = 0;
        for (long i = 0; i < count; i++) {
            r.skip(r.u32()); // module name
            r.skip(r.u32()); // field name
            int kind = r.u8();
            switch (kind) {
                case 0 -> { r.u32(); functions++; }
                case 1 -> { valType(r); limitsField(r); }
                case 2 -> limitsField(r);
                case 3 -> { valType(r); r.u8(); }
                default -> { return functions; }
            }
        }
        return functions;
    }

    private static void limitsField(Reader r) {
        int flags = r.u8();
        r.u32();
        if ((flags & 1) != 0) {
            r.u32();
        }
    }

    private static void code(String toolId, Reader r, long size, ModuleLimits limits, int functionImports,
            Set<Integer> large) {
        if (size > limits.maxCodeBytes()) {
            throw refused(toolId, "its code section holds " + size + " bytes", limits.maxCodeBytes(), "maxCodeBytes");
        }
        long count = limit(toolId, r.u32(), limits.maxFunctions(), "function bodies", "maxFunctions");
        for (long i = 0; i < count; i++) {
            long bodySize = r.u32();
            int next = (int) (r.pos + bodySize);
            if (bodySize > limits.maxFunctionBodyBytes()) {
                throw refused(toolId, "function " + (functionImports + i) + " has a body of " + bodySize + " bytes",
                        limits.maxFunctionBodyBytes(), "maxFunctionBodyBytes");
            }
            if (bodySize > limits.interpretAboveBytes()) {
                large.add((int) (functionImports + i));
            }
            long groups = r.u32();
            long locals = 0;
            for (long g = 0; g < groups && locals <= limits.maxLocals(); g++) {
                locals += r.u32();
                valType(r);
            }
            if (locals > limits.maxLocals()) {
                throw refused(toolId, "function " + (functionImports + i) + " declares " + locals + " locals",
                        limits.maxLocals(), "maxLocals");
            }
            r.pos = next;
        }
    }

    private static long limit(String toolId, long count, long max, String what, String option) {
        if (count > max) {
            throw refused(toolId, "it has " + count + " " + what, max, option);
        }
        return count;
    }

    private static ModuleRejectedException refused(String toolId, String figure, long max, String option) {
        return new ModuleRejectedException("module of tool '" + toolId + "' is too large to compile: " + figure
                + ", above the limit of " + max + " (module." + option + "; set it in HostPolicy.modules(..) "
                + "or the engine option of that name if the module is trusted)");
    }

    /** A cursor over the bytes; throws {@link IndexOutOfBoundsException} past the end. */
    private static final class Reader {
        private final byte[] bytes;
        private int pos;

        Reader(byte[] bytes, int pos) {
            this.bytes = bytes;
            this.pos = pos;
        }

        int u8() {
            return bytes[pos++] & 0xff;
        }

        long u32() {
            long result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IndexOutOfBoundsException("LEB128 too long");
        }

        void s33() {
            u32();
        }

        void skip(long n) {
            if (n > bytes.length - pos) {
                throw new IndexOutOfBoundsException("past the end");
            }
            pos += (int) n;
        }
    }
}
