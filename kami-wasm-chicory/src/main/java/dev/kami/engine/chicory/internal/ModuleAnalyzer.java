package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.extism.ExtismAbi;
import dev.kami.manifest.Abi;
import dev.kami.policy.ModuleLimits;
import dev.kami.spi.ModuleInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a module and checks it against docs/ABI.md before anything runs: valid bytes, a known
 * ABI (from the exports, or the one the manifest names), the export signatures, and imports that
 * KAMI provides. Stateless and thread-safe.
 */
final class ModuleAnalyzer {
    static final String KAMI = "kami";
    static final String WASI = "wasi_snapshot_preview1";
    /** The most elements a table may declare or grow to (each costs the host about 12 bytes per call). */
    static final long MAX_TABLE_ELEMENTS = 100_000;

    private static final FunctionType I32_I32_TO_VOID = FunctionType.of(List.of(ValType.I32, ValType.I32), List.of());
    private static final FunctionType I32_I32_I32_TO_VOID =
            FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32), List.of());
    private static final FunctionType I32_I32_TO_I32 =
            FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32));
    private static final FunctionType I32_TO_I32 = FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));
    private static final FunctionType VOID_TO_I32 = FunctionType.of(List.of(), List.of(ValType.I32));
    private static final FunctionType VOID_TO_VOID = FunctionType.of(List.of(), List.of());

    /** The {@code kami.*} imports of docs/ABI.md, by name. */
    static final Map<String, FunctionType> KAMI_IMPORTS = Map.of(
            "output", I32_I32_TO_VOID,
            "log", I32_I32_I32_TO_VOID,
            "http_request", I32_I32_TO_I32,
            "http_response", I32_TO_I32);

    /** The {@code wasi_snapshot_preview1} functions Chicory implements, by name. */
    static final Map<String, FunctionType> WASI_IMPORTS = wasiFunctions();

    private ModuleAnalyzer() {
    }

    private static Map<String, FunctionType> wasiFunctions() {
        Map<String, FunctionType> m = new HashMap<>();
        try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(WasiOptions.builder().build()).build()) {
            for (HostFunction f : wasi.toHostFunctions()) {
                m.put(f.name(), f.functionType());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** What the engine needs to know about a checked module. */
    record Analysis(WasmModule module, ModuleInfo info, MemoryLimits declaredMemory, boolean importsWasi,
            boolean hasInitialize, List<String> kamiImports, ModuleStructure structure) {
    }

    /**
     * @param toolId for messages
     * @param bytes the module
     * @param declared the ABI the manifest names, or null
     * @param moduleLimits the structural limits, checked before parsing
     */
    static Analysis analyze(String toolId, byte[] bytes, Abi declared, ModuleLimits moduleLimits) {
        ModuleStructure structure = ModuleStructure.check(toolId, requireMagic(toolId, bytes), moduleLimits);
        WasmModule module = parse(toolId, bytes);
        List<String> imports = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> kamiImports = new ArrayList<>();
        boolean importsWasi = false;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String name = imp.module() + "." + imp.name();
            imports.add(name);
            Map<String, FunctionType> provided = imp.module().equals(KAMI) ? KAMI_IMPORTS
                    : imp.module().equals(WASI) ? WASI_IMPORTS : ExtismAbi.provided(imp.module());
            FunctionType expected = provided.get(imp.name());
            if (imp.importType() != ExternalType.FUNCTION || expected == null) {
                missing.add(name + (imp.importType() != ExternalType.FUNCTION
                        ? " (" + imp.importType().name().toLowerCase(java.util.Locale.ROOT) + ")" : ""));
                continue;
            }
            int typeIndex = ((FunctionImport) imp).typeIndex();
            if (typeIndex < 0 || typeIndex >= module.typeSection().typeCount()) {
                throw new ModuleRejectedException("module of tool '" + toolId + "' is malformed: its import " + name
                        + " names function type " + Integer.toUnsignedString(typeIndex) + ", but the module declares "
                        + module.typeSection().typeCount() + " types. Rebuild it and check it with `kami validate`");
            }
            FunctionType actual = module.typeSection().getType(typeIndex);
            if (!actual.equals(expected)) {
                missing.add(name + " with signature " + signature(actual) + " (KAMI provides " + signature(expected)
                        + ")");
                continue;
            }
            if (imp.module().equals(KAMI)) {
                kamiImports.add(imp.name());
            } else if (imp.module().equals(WASI)) {
                importsWasi = true;
            }
        }
        if (!missing.isEmpty()) {
            throw new ModuleRejectedException("module of tool '" + toolId + "' imports what nobody provides: "
                    + String.join(", ", missing) + ". A tool may import only the kami.* functions of docs/ABI.md "
                    + "(kami.output, kami.log, kami.http_request, kami.http_response) and the "
                    + "wasi_snapshot_preview1 functions (an Extism plugin: the " + ExtismAbi.ENV + " and "
                    + ExtismAbi.USER + " functions of docs/ABI.md)" + knownFix(missing));
        }

        Map<String, Export> exports = new LinkedHashMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            exports.put(e.name(), e);
        }
        boolean kamiV1 = isFunction(exports, "kami_run");
        boolean command = isFunction(exports, "_start");
        ExtismAbi.Contract extism = ExtismAbi.detect(exports.keySet().stream()
                .filter(n -> isFunction(exports, n)).toList());
        boolean importsExtism = imports.stream().anyMatch(n -> n.startsWith("extism:host/"));
        Abi abi;
        if (declared == null) {
            if (!kamiV1 && !command && extism == null) {
                throw new ModuleRejectedException("module of tool '" + toolId + "' exports neither kami_run "
                        + "(kami-v1) nor _start (wasi-command) nor an Extism plugin's functions, so no ABI is found; "
                        + "its exports are " + exports.keySet() + ". " + ExtismAbi.expectations() + ". See docs/ABI.md");
            }
            abi = kamiV1 ? Abi.KAMI_V1 : extism != null && (importsExtism || !command) ? Abi.EXTISM : Abi.WASI_COMMAND;
        } else {
            abi = declared;
            if (abi == Abi.KAMI_V1 && !kamiV1 || abi == Abi.WASI_COMMAND && !command
                    || abi == Abi.EXTISM && extism == null) {
                throw new ModuleRejectedException("the manifest of tool '" + toolId + "' declares abi = \""
                        + abi.label() + "\" but the module does not export "
                        + (abi == Abi.KAMI_V1 ? "kami_run" : abi == Abi.EXTISM ? "an Extism plugin's functions ("
                        + ExtismAbi.expectations() + ")" : "_start") + "; its exports are " + exports.keySet());
            }
        }
        if (!(exports.containsKey("memory") && exports.get("memory").exportType() == ExternalType.MEMORY)) {
            throw new ModuleRejectedException("module of tool '" + toolId + "' does not export its memory as "
                    + "'memory', which the " + abi.label() + " ABI requires");
        }
        if (abi == Abi.KAMI_V1) {
            requireSignature(toolId, module, exports, "kami_alloc", I32_TO_I32, true);
            requireSignature(toolId, module, exports, "kami_run", I32_I32_TO_I32, true);
            requireSignature(toolId, module, exports, "kami_describe", VOID_TO_I32, false);
            requireSignature(toolId, module, exports, "_initialize", VOID_TO_VOID, false);
        } else if (abi == Abi.EXTISM) {
            requireSignature(toolId, module, exports, extism.callExport(), VOID_TO_I32, true);
            requireSignature(toolId, module, exports, extism.listExport(), VOID_TO_I32, false);
            requireSignature(toolId, module, exports, "_initialize", VOID_TO_VOID, false);
        } else {
            requireSignature(toolId, module, exports, "_start", VOID_TO_VOID, true);
        }
        for (int i = 0; i < module.tableSection().tableCount(); i++) {
            long min = module.tableSection().getTable(i).limits().min();
            if (min > MAX_TABLE_ELEMENTS) {
                throw new ModuleRejectedException("module of tool '" + toolId + "' declares table " + i + " with "
                        + min + " initial elements, above KAMI's limit of " + MAX_TABLE_ELEMENTS);
            }
        }
        MemoryLimits limits = module.memorySection()
                .filter(s -> s.memoryCount() > 0)
                .map(s -> s.getMemory(0).limits())
                .orElseThrow(() -> new ModuleRejectedException("module of tool '" + toolId
                        + "' defines no memory of its own (an imported memory is not provided)"));
        long max = limits.maximumPages() >= MemoryLimits.MAX_PAGES ? -1 : limits.maximumPages();
        ModuleInfo info = new ModuleInfo(abi, imports, List.copyOf(exports.keySet()), limits.initialPages(), max,
                isFunction(exports, "kami_describe"));
        return new Analysis(module, info, limits, importsWasi, isFunction(exports, "_initialize"),
                List.copyOf(kamiImports), structure);
    }

    static byte[] requireMagic(String toolId, byte[] bytes) {
        if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
            throw new ModuleRejectedException("module of tool '" + toolId + "' is not WebAssembly: it does not "
                    + "start with the magic bytes \\0asm (" + bytes.length + " bytes). Give the compiled .wasm file, "
                    + "not its source");
        }
        return bytes;
    }

    private static WasmModule parse(String toolId, byte[] bytes) {
        try {
            return Parser.parse(bytes);
        } catch (RuntimeException e) { // Chicory's own, and buffer/index errors on truncated bytes
            throw new ModuleRejectedException("module of tool '" + toolId + "' is malformed or truncated ("
                    + bytes.length + " bytes): " + Messages.parseProblem(e) + ". Rebuild it and check it with "
                    + "`kami validate`", e);
        }
    }

    private static boolean isFunction(Map<String, Export> exports, String name) {
        Export e = exports.get(name);
        return e != null && e.exportType() == ExternalType.FUNCTION;
    }

    private static void requireSignature(String toolId, WasmModule module, Map<String, Export> exports, String name,
            FunctionType expected, boolean required) {
        Export e = exports.get(name);
        if (e == null || e.exportType() != ExternalType.FUNCTION) {
            if (required || e != null) {
                throw new ModuleRejectedException("module of tool '" + toolId + "' must export the function "
                        + name + signature(expected) + " (docs/ABI.md)");
            }
            return;
        }
        FunctionType actual = functionType(module, e.index());
        if (!actual.equals(expected)) {
            throw new ModuleRejectedException("module of tool '" + toolId + "' exports " + name + signature(actual)
                    + " but the ABI requires " + name + signature(expected) + " (docs/ABI.md)");
        }
    }

    private static FunctionType functionType(WasmModule module, int functionIndex) {
        int imported = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION) {
                if (imported == functionIndex) {
                    return module.typeSection().getType(((FunctionImport) imp).typeIndex());
                }
                imported++;
            }
        }
        return module.typeSection().getType(module.functionSection().getFunctionType(functionIndex - imported));
    }

    static String signature(FunctionType t) {
        String params = t.params().stream().map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(", ", "(", ")"));
        String results = t.returns().isEmpty() ? "()" : t.returns().stream()
                .map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(", "));
        return params + " -> " + results;
    }

    /** @return why a well-known import is there and how to build without it, or "" */
    private static String knownFix(List<String> missing) {
        if (missing.stream().anyMatch(m -> m.startsWith("env.abort"))) {
            return ". env.abort is AssemblyScript's default abort handler: build with asc's"
                    + " --use abort=assembly/kami/kamiAbort (the guest SDK's, as the kami init template does;"
                    + " docs/TOOL_AUTHOR_GUIDE.md, AssemblyScript)";
        }
        return "";
    }
}
