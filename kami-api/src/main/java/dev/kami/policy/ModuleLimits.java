package dev.kami.policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How large a module the engine agrees to parse and compile, checked on the raw bytes before
 * anything is parsed, and the budget its compilation runs on. A module over a limit is refused at
 * install ({@code ModuleRejectedException}) with the figure and the limit; a single function over
 * {@code interpretAboveBytes} runs on the interpreter instead of being compiled. The defaults are
 * tighter than the limits V8 and wasmtime publish, because translating WebAssembly to JVM
 * bytecode costs far more per function than a native compiler (docs/adr/0107). Immutable.
 *
 * <pre>{@code
 * HostPolicy policy = HostPolicy.builder()
 *         .modules(ModuleLimits.builder().maxFunctions(50_000).compileTimeoutMs(60_000).build())
 *         .build();
 * }</pre>
 *
 * @param maxFunctions functions defined by the module (default 20,000; V8 allows 1,000,000)
 * @param maxImports imports (default 1,000; V8 100,000)
 * @param maxExports exports (default 10,000; V8 100,000)
 * @param maxTypes entries of the type section (default 20,000; V8 1,000,000)
 * @param maxParams parameters or results of one function type (default 1,000, as V8)
 * @param maxGlobals globals (default 10,000; V8 1,000,000)
 * @param maxTables tables (default 100; V8 100,000)
 * @param maxElementSegments element segments (default 10,000; V8 10,000,000)
 * @param maxDataSegments data segments (default 10,000; V8 100,000)
 * @param maxFunctionBodyBytes the size of one function body (default 1 MiB; V8 7,654,321 bytes)
 * @param maxLocals locals of one function (default 50,000, as V8)
 * @param maxCodeBytes the code section, all bodies together (default 2 MiB: compiling takes about 64 bytes
 *     of heap per byte of code, measured on Chicory 1.7.5, so at most about 128 MiB)
 * @param interpretAboveBytes a function body larger than this runs on the interpreter rather than
 *     being compiled (default 64 KiB: larger ones rarely fit the JVM's 64 KiB method limit anyway)
 * @param compileTimeoutMs the most time compiling one module may take (default 20,000 ms)
 */
public record ModuleLimits(int maxFunctions, int maxImports, int maxExports, int maxTypes, int maxParams,
        int maxGlobals, int maxTables, int maxElementSegments, int maxDataSegments, int maxFunctionBodyBytes,
        int maxLocals, int maxCodeBytes, int interpretAboveBytes, long compileTimeoutMs) {

    /** Validates: every limit is positive. */
    public ModuleLimits {
        Map<String, Long> all = options(maxFunctions, maxImports, maxExports, maxTypes, maxParams, maxGlobals,
                maxTables, maxElementSegments, maxDataSegments, maxFunctionBodyBytes, maxLocals, maxCodeBytes,
                interpretAboveBytes, compileTimeoutMs);
        all.forEach((name, v) -> {
            if (v <= 0) {
                throw new IllegalArgumentException("module limit " + name + " must be positive, got " + v);
            }
        });
    }

    /** @return the defaults listed on each component */
    public static ModuleLimits defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return these limits as the engine options that carry them ({@code module.maxFunctions} ...,
     *     {@code compile.interpretAboveBytes}, {@code compile.timeoutMs}), in component order
     */
    public Map<String, String> engineOptions() {
        Map<String, String> out = new LinkedHashMap<>();
        options(maxFunctions, maxImports, maxExports, maxTypes, maxParams, maxGlobals, maxTables,
                maxElementSegments, maxDataSegments, maxFunctionBodyBytes, maxLocals, maxCodeBytes,
                interpretAboveBytes, compileTimeoutMs).forEach((k, v) -> out.put(k, Long.toString(v)));
        return out;
    }

    private static Map<String, Long> options(long... v) {
        String[] names = {"module.maxFunctions", "module.maxImports", "module.maxExports", "module.maxTypes",
            "module.maxParams", "module.maxGlobals", "module.maxTables", "module.maxElementSegments",
            "module.maxDataSegments", "module.maxFunctionBodyBytes", "module.maxLocals", "module.maxCodeBytes",
            "compile.interpretAboveBytes", "compile.timeoutMs"};
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], v[i]);
        }
        return m;
    }

    /** Builds {@link ModuleLimits}; not thread-safe. Setters take the value the component documents. */
    public static final class Builder {
        private int maxFunctions = 20_000;
        private int maxImports = 1_000;
        private int maxExports = 10_000;
        private int maxTypes = 20_000;
        private int maxParams = 1_000;
        private int maxGlobals = 10_000;
        private int maxTables = 100;
        private int maxElementSegments = 10_000;
        private int maxDataSegments = 10_000;
        private int maxFunctionBodyBytes = 1024 * 1024;
        private int maxLocals = 50_000;
        private int maxCodeBytes = 2 * 1024 * 1024;
        private int interpretAboveBytes = 64 * 1024;
        private long compileTimeoutMs = 20_000;

        private Builder() {
        }

        public Builder maxFunctions(int v) { maxFunctions = v; return this; }
        public Builder maxImports(int v) { maxImports = v; return this; }
        public Builder maxExports(int v) { maxExports = v; return this; }
        public Builder maxTypes(int v) { maxTypes = v; return this; }
        public Builder maxParams(int v) { maxParams = v; return this; }
        public Builder maxGlobals(int v) { maxGlobals = v; return this; }
        public Builder maxTables(int v) { maxTables = v; return this; }
        public Builder maxElementSegments(int v) { maxElementSegments = v; return this; }
        public Builder maxDataSegments(int v) { maxDataSegments = v; return this; }
        public Builder maxFunctionBodyBytes(int v) { maxFunctionBodyBytes = v; return this; }
        public Builder maxLocals(int v) { maxLocals = v; return this; }
        public Builder maxCodeBytes(int v) { maxCodeBytes = v; return this; }
        public Builder interpretAboveBytes(int v) { interpretAboveBytes = v; return this; }
        public Builder compileTimeoutMs(long v) { compileTimeoutMs = v; return this; }

        /**
         * @return the limits
         * @throws IllegalArgumentException naming a limit that is not positive
         */
        public ModuleLimits build() {
            return new ModuleLimits(maxFunctions, maxImports, maxExports, maxTypes, maxParams, maxGlobals, maxTables,
                    maxElementSegments, maxDataSegments, maxFunctionBodyBytes, maxLocals, maxCodeBytes,
                    interpretAboveBytes, compileTimeoutMs);
        }
    }
}
