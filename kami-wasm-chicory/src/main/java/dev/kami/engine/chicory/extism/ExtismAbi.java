package dev.kami.engine.chicory.extism;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code extism} ABI is made of: the host functions KAMI provides under
 * {@code extism:host/env} (Extism's kernel) and {@code extism:host/user} (hyper-mcp's v2 host
 * functions), and the plugin contracts recognised from a module's exports. The engine's module
 * analysis asks this class; see {@code docs/ABI.md} and ADR 0120. Stateless.
 */
public final class ExtismAbi {
    /** Extism's kernel namespace. */
    public static final String ENV = "extism:host/env";
    /** The namespace of a host's own functions (hyper-mcp's v2 functions live here). */
    public static final String USER = "extism:host/user";

    private static final ValType I32 = ValType.I32;
    private static final ValType I64 = ValType.I64;

    private static final Map<String, FunctionType> ENV_FUNCTIONS = envFunctions();
    private static final Map<String, FunctionType> USER_FUNCTIONS = userFunctions();

    /** A plugin contract: which exports are called, with which payloads. */
    public enum Contract {
        /**
         * hyper-mcp v1 plugins and mcp.run servlets: {@code describe} returns a ListToolsResult,
         * {@code call} takes {@code {"method":"tools/call","params":{name, arguments}}} (hyper-mcp v1
         * reads {@code params} and ignores {@code method}; servlets read both).
         */
        CALL_DESCRIBE("hyper-mcp v1 / mcp.run servlet", "describe", "call"),
        /** hyper-mcp v2 plugins: {@code list_tools} and {@code call_tool} taking {@code {"request","context"}}. */
        HYPER_MCP_V2("hyper-mcp v2", "list_tools", "call_tool");

        private final String label;
        private final String listExport;
        private final String callExport;

        Contract(String label, String listExport, String callExport) {
            this.label = label;
            this.listExport = listExport;
            this.callExport = callExport;
        }

        /** @return the contract's name in messages */
        public String label() {
            return label;
        }

        /** @return the export that lists the tools */
        public String listExport() {
            return listExport;
        }

        /** @return the export that calls a tool */
        public String callExport() {
            return callExport;
        }
    }

    private ExtismAbi() {
    }

    private static FunctionType type(List<ValType> params, List<ValType> results) {
        return FunctionType.of(params, results);
    }

    private static Map<String, FunctionType> envFunctions() {
        Map<String, FunctionType> m = new LinkedHashMap<>();
        FunctionType i64ToI64 = type(List.of(I64), List.of(I64));
        FunctionType i64ToVoid = type(List.of(I64), List.of());
        FunctionType voidToI64 = type(List.of(), List.of(I64));
        m.put("alloc", i64ToI64);
        m.put("free", i64ToVoid);
        m.put("length", i64ToI64);
        m.put("length_unsafe", i64ToI64);
        m.put("load_u8", type(List.of(I64), List.of(I32)));
        m.put("load_u64", i64ToI64);
        m.put("store_u8", type(List.of(I64, I32), List.of()));
        m.put("store_u64", type(List.of(I64, I64), List.of()));
        m.put("input_length", voidToI64);
        m.put("input_offset", voidToI64);
        m.put("input_load_u8", type(List.of(I64), List.of(I32)));
        m.put("input_load_u64", i64ToI64);
        m.put("output_set", type(List.of(I64, I64), List.of()));
        m.put("error_set", i64ToVoid);
        m.put("error_get", voidToI64);
        m.put("memory_bytes", voidToI64);
        m.put("config_get", i64ToI64);
        m.put("var_get", i64ToI64);
        m.put("var_set", type(List.of(I64, I64), List.of()));
        m.put("http_request", type(List.of(I64, I64), List.of(I64)));
        m.put("http_status_code", type(List.of(), List.of(I32)));
        m.put("http_headers", voidToI64);
        m.put("log_trace", i64ToVoid);
        m.put("log_debug", i64ToVoid);
        m.put("log_info", i64ToVoid);
        m.put("log_warn", i64ToVoid);
        m.put("log_error", i64ToVoid);
        m.put("get_log_level", type(List.of(), List.of(I32)));
        return Map.copyOf(m);
    }

    private static Map<String, FunctionType> userFunctions() {
        // Extism's PDKs pass and return every value as a memory handle (i64)
        FunctionType in = type(List.of(I64), List.of());
        FunctionType inOut = type(List.of(I64), List.of(I64));
        FunctionType none = type(List.of(), List.of());
        Map<String, FunctionType> m = new LinkedHashMap<>();
        m.put("notify_progress", in);
        m.put("notify_logging_message", in);
        m.put("notify_tool_list_changed", none);
        m.put("notify_prompt_list_changed", none);
        m.put("notify_resource_list_changed", none);
        m.put("notify_resource_updated", in);
        m.put("notify_url_elicitation_completed", in);
        m.put("create_elicitation", inOut);
        m.put("create_message", inOut);
        m.put("list_roots", type(List.of(), List.of(I64)));
        m.put("get_keyring_secret", inOut);
        return Map.copyOf(m);
    }

    /**
     * @param module an import's module name
     * @return the functions KAMI provides in that module for Extism plugins (empty for any other module)
     */
    public static Map<String, FunctionType> provided(String module) {
        return switch (module) {
            case ENV -> ENV_FUNCTIONS;
            case USER -> USER_FUNCTIONS;
            default -> Map.of();
        };
    }

    /** @return whether the module name is one of Extism's */
    public static boolean isExtismModule(String module) {
        return module.equals(ENV) || module.equals(USER);
    }

    /**
     * @param exports a module's exported function names
     * @return the contract those exports implement, or null
     */
    public static Contract detect(Collection<String> exports) {
        if (exports.contains("call_tool") && exports.contains("list_tools")) {
            return Contract.HYPER_MCP_V2;
        }
        if (exports.contains("call")) {
            return Contract.CALL_DESCRIBE;
        }
        return null;
    }

    /** @return what each contract expects, for refusals */
    public static String expectations() {
        return "an Extism plugin exports call (and describe) for hyper-mcp v1 / mcp.run servlets, or list_tools and "
                + "call_tool for hyper-mcp v2";
    }
}
