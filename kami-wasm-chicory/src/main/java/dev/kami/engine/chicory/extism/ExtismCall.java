package dev.kami.engine.chicory.extism;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import dev.kami.ToolErrorKind;
import dev.kami.spi.EntryPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One call of an Extism plugin: the host functions its imports name (Extism's kernel and env
 * functions, hyper-mcp's user functions), bound to a fresh {@link ExtismKernel}; then, on the fresh
 * instance, the contract's exports called with the payloads hyper-mcp or mcp.run would send, and the
 * result mapped back onto KAMI's output. Confined to the calling thread; one per call.
 *
 * <p>KAMI's input selects what is called (until the core passes the MCP tool name itself, see ADR
 * 0120): an object with a string {@code "$tool"} calls that tool of the plugin with its
 * {@code "arguments"} (default {@code {}}); {@code {"$list_tools": true}} returns the plugin's
 * ListToolsResult; any other input is the arguments of the plugin's only tool.
 */
public final class ExtismCall {
    /** The input key that names the plugin tool to call. */
    public static final String TOOL_KEY = "$tool";
    /** The input key that asks for the plugin's tool list. */
    public static final String LIST_KEY = "$list_tools";

    private static final int MESSAGE_MAX = 2048;

    private final WasmModule module;
    private final ExtismAbi.Contract contract;
    private final ExtismHost host;
    private final ToolNames toolNames;
    private final ExtismKernel kernel;
    private final HyperMcpFunctions user;
    private int lastStatus;
    private Map<String, String> lastHeaders;

    /** The outcome of a call: {@code kind == null} is success with {@code output}; otherwise the message. */
    public record Outcome(ToolErrorKind kind, byte[] output, String message) {
        static Outcome ok(byte[] output) {
            return new Outcome(null, output, null);
        }

        static Outcome error(ToolErrorKind kind, String message) {
            return new Outcome(kind, new byte[0], message);
        }
    }

    /**
     * @param module the plugin (its imports decide the host functions)
     * @param contract what its exports implement
     * @param host the engine's services for this call
     * @param toolNames the per-module memo of the plugin's only tool name
     */
    public ExtismCall(WasmModule module, ExtismAbi.Contract contract, ExtismHost host, ToolNames toolNames) {
        this.module = Objects.requireNonNull(module, "module");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.host = Objects.requireNonNull(host, "host");
        this.toolNames = Objects.requireNonNull(toolNames, "toolNames");
        this.kernel = new ExtismKernel(host);
        this.user = new HyperMcpFunctions(kernel, host);
    }

    /** @return a host function for every Extism import of the module, in import order */
    public List<HostFunction> functions() {
        List<HostFunction> out = new ArrayList<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() != ExternalType.FUNCTION) {
                continue;
            }
            HostFunction f = null;
            if (imp.module().equals(ExtismAbi.ENV)) {
                f = kernel.function(imp.name());
                if (f == null) {
                    f = envFunction(imp.name());
                }
            } else if (imp.module().equals(ExtismAbi.USER)) {
                f = user.function(imp.name());
            }
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    private static final String[] LOG_LEVELS = {"log_trace", "log_debug", "log_info", "log_warn", "log_error"};

    private HostFunction envFunction(String name) {
        return switch (name) {
            case "config_get" -> ExtismKernel.fn(name, (inst, a) -> {
                String value = host.config().get(kernel.readString(a[0]));
                return new long[] {value == null ? 0 : kernel.alloc(inst, value.getBytes(StandardCharsets.UTF_8))};
            });
            case "var_get" -> ExtismKernel.fn(name, (inst, a) -> {
                byte[] value = kernel.var(kernel.readString(a[0]));
                return new long[] {value == null ? 0 : kernel.alloc(inst, value)};
            });
            case "var_set" -> ExtismKernel.fn(name, (inst, a) -> {
                kernel.setVar(kernel.readString(a[0]), a[1] == 0 ? null : kernel.read(a[1]));
                return null;
            });
            case "http_request" -> ExtismKernel.fn(name, (inst, a) -> new long[] {httpRequest(inst, a[0], a[1])});
            case "http_status_code" -> ExtismKernel.fn(name, (inst, a) -> new long[] {lastStatus});
            case "http_headers" -> ExtismKernel.fn(name, (inst, a) -> new long[] {lastHeaders == null ? 0
                    : kernel.alloc(inst, JsonText.write(lastHeaders).getBytes(StandardCharsets.UTF_8))});
            // every level is collected into the call's log (capped), so plugins are told to log everything
            case "get_log_level" -> ExtismKernel.fn(name, (inst, a) -> new long[] {0});
            case "log_trace", "log_debug", "log_info", "log_warn", "log_error" -> {
                int level = java.util.Arrays.asList(LOG_LEVELS).indexOf(name);
                yield ExtismKernel.fn(name, (inst, a) -> {
                    long len = kernel.length(a[0]);
                    if (len > host.maxOutputBytes()) {
                        throw host.abort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + host.toolId() + "' logged a "
                                + "line of " + len + " bytes, more than its limit of " + host.maxOutputBytes()
                                + " bytes (max_output_bytes)");
                    }
                    host.log(level, kernel.read(a[0]));
                    return null;
                });
            }
            default -> null;
        };
    }

    /**
     * Extism's {@code http_request(request, body) -> body}: the request JSON
     * {@code {"url","method","headers"}} and an optional body block go through the engine's guard;
     * the response body comes back as a block and its status through {@code http_status_code}. A
     * request the guard refuses (host not granted, private address, limits, time) is not a trap:
     * the plugin sees status 0 and a body {@code {"error": kind, "message": why}}.
     */
    private long httpRequest(Instance inst, long requestOffset, long bodyOffset) {
        lastStatus = 0;
        lastHeaders = null;
        String requestText = kernel.readString(requestOffset);
        byte[] body = bodyOffset == 0 ? new byte[0] : kernel.read(bodyOffset);
        Map<String, Object> kamiRequest = new LinkedHashMap<>();
        try {
            if (!(JsonText.parse(requestText) instanceof Map<?, ?> req)) {
                return refuse(inst, "invalid_request", "the Extism HTTP request must be a JSON object");
            }
            kamiRequest.put("method", req.get("method") == null ? "GET" : req.get("method"));
            kamiRequest.put("url", req.get("url"));
            // "header" is what some PDKs send; Extism's hosts accept both
            Object headers = req.get("headers") != null ? req.get("headers") : req.get("header");
            if (headers instanceof Map<?, ?> h) {
                kamiRequest.put("headers", h);
            }
        } catch (IllegalArgumentException e) {
            return refuse(inst, "invalid_request", "the Extism HTTP request is not JSON: " + e.getMessage());
        }
        if (body.length > 0) {
            kamiRequest.put("body", new String(body, StandardCharsets.UTF_8));
        }
        byte[] answer = host.http(JsonText.write(kamiRequest).getBytes(StandardCharsets.UTF_8));
        Map<?, ?> response;
        try {
            response = (Map<?, ?>) JsonText.parse(new String(answer, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return refuse(inst, "io", "unreadable response from the HTTP guard");
        }
        if (response.get("error") instanceof String kind) {
            return refuse(inst, kind, String.valueOf(response.get("message")));
        }
        lastStatus = response.get("status") instanceof Number n ? n.intValue() : 0;
        Map<String, String> headers = new TreeMap<>();
        if (response.get("headers") instanceof Map<?, ?> h) {
            h.forEach((k, v) -> headers.put(String.valueOf(k), String.valueOf(v)));
        }
        lastHeaders = headers;
        String text = response.get("body") instanceof String s ? s : "";
        return kernel.alloc(inst, text.getBytes(StandardCharsets.UTF_8));
    }

    private long refuse(Instance inst, String kind, String message) {
        host.log(3, ("extism http_request refused (" + kind + "): " + message).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", kind);
        error.put("message", message);
        return kernel.alloc(inst, JsonText.write(error).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the notifications and declined requests the plugin made, in order, for the MCP layer */
    public List<String> notifications() {
        return user.notifications();
    }

    /**
     * Runs the call on a fresh instance built with {@link #functions()}.
     *
     * @param instance the plugin instance, not yet started
     * @param hasInitialize whether the module exports {@code _initialize} (WASI reactors)
     * @param input KAMI's input JSON (UTF-8)
     * @param entry the plugin tool the core named ({@code Invocation.entry}), or null to select it
     *     from the input as section 5 of ADR 0120 says
     */
    public Outcome run(Instance instance, boolean hasInitialize, byte[] input, String entry) {
        if (hasInitialize) {
            instance.export("_initialize").apply();
        }
        Object parsed;
        try {
            parsed = JsonText.parse(new String(input, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Outcome.error(ToolErrorKind.INVALID_ARGUMENTS, "the input of tool '" + host.toolId()
                    + "' is not JSON (" + e.getMessage() + "); an Extism plugin takes a JSON object of arguments");
        }
        Map<?, ?> in = parsed instanceof Map<?, ?> m ? m : null;
        String name;
        Object arguments;
        if (entry != null) {
            name = entry;
            arguments = parsed;
        } else if (in != null && Boolean.TRUE.equals(in.get(LIST_KEY))) {
            return listTools(instance);
        } else if (in != null && in.get(TOOL_KEY) instanceof String selected) {
            name = selected;
            arguments = in.containsKey("arguments") ? in.get("arguments") : new LinkedHashMap<>();
        } else {
            arguments = parsed;
            name = toolNames.get();
            if (name == null) {
                Outcome listed = listTools(instance);
                if (listed.kind() != null) {
                    return listed;
                }
                List<String> names = toolNamesOf(listed.output());
                if (names.size() != 1) {
                    return Outcome.error(ToolErrorKind.INVALID_ARGUMENTS, "tool '" + host.toolId() + "' is an "
                            + "Extism plugin offering " + names.size() + " tools " + names + "; name one with {\""
                            + TOOL_KEY + "\": \"<tool>\", \"arguments\": {...}}");
                }
                name = names.get(0);
                toolNames.set(name);
                kernel.reset();
            }
        }
        if (!(arguments instanceof Map)) {
            return Outcome.error(ToolErrorKind.INVALID_ARGUMENTS, "the arguments of tool '" + host.toolId() + "' ("
                    + name + ") must be a JSON object, got " + shorten(JsonText.write(arguments)));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", name);
        params.put("arguments", arguments);
        Map<String, Object> payload = new LinkedHashMap<>();
        if (contract == ExtismAbi.Contract.HYPER_MCP_V2) {
            payload.put("request", params);
            payload.put("context", context());
        } else {
            payload.put("method", "tools/call");
            payload.put("params", params);
        }
        Outcome called = callExport(instance, contract.callExport(), JsonText.write(payload));
        if (called.kind() != null) {
            return called;
        }
        return callToolResult(name, called.output());
    }

    private static Map<String, Object> context() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("id", 1L);
        context.put("_meta", new LinkedHashMap<>());
        return context;
    }

    private Outcome listTools(Instance instance) {
        String payload = contract == ExtismAbi.Contract.HYPER_MCP_V2
                ? JsonText.write(Map.of("context", context())) : "";
        if (!hasExport(contract.listExport())) {
            return Outcome.error(ToolErrorKind.INVALID_ARGUMENTS, "tool '" + host.toolId() + "' exports no "
                    + contract.listExport() + ", so its tools cannot be listed; call it with {\"" + TOOL_KEY
                    + "\": \"<tool>\", \"arguments\": {...}}");
        }
        Outcome listed = callExport(instance, contract.listExport(), payload);
        if (listed.kind() != null) {
            return listed;
        }
        try {
            toolNamesOf(listed.output());
        } catch (IllegalArgumentException e) {
            return Outcome.error(ToolErrorKind.INVALID_OUTPUT, "tool '" + host.toolId() + "' returned from "
                    + contract.listExport() + " something that is not an MCP ListToolsResult: " + e.getMessage());
        }
        return listed;
    }

    private boolean hasExport(String name) {
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            if (module.exportSection().getExport(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the tools of a plugin's ListToolsResult as entry points (name, description, input
     *     schema JSON: {@code inputSchema}, or {@code input_schema} as some PDKs write it)
     * @throws IllegalArgumentException if it is not a ListToolsResult
     */
    public static List<EntryPoint> entriesOf(byte[] listToolsResult) {
        Object parsed = JsonText.parse(new String(listToolsResult, StandardCharsets.UTF_8));
        toolNamesOf(listToolsResult);
        List<EntryPoint> out = new ArrayList<>();
        for (Object t : (List<?>) ((Map<?, ?>) parsed).get("tools")) {
            Map<?, ?> tool = (Map<?, ?>) t;
            Object schema = tool.get("inputSchema") != null ? tool.get("inputSchema") : tool.get("input_schema");
            out.add(new EntryPoint((String) tool.get("name"),
                    tool.get("description") instanceof String d ? d : "",
                    schema instanceof Map<?, ?> ? JsonText.write(schema) : null));
        }
        return out;
    }

    /** @return the tool names of a ListToolsResult */
    static List<String> toolNamesOf(byte[] listToolsResult) {
        Object parsed = JsonText.parse(new String(listToolsResult, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("tools") instanceof List<?> tools)) {
            throw new IllegalArgumentException("expected an object with a \"tools\" array");
        }
        List<String> names = new ArrayList<>();
        for (Object t : tools) {
            if (!(t instanceof Map<?, ?> tool) || !(tool.get("name") instanceof String n)) {
                throw new IllegalArgumentException("a tool without a string \"name\"");
            }
            names.add(n);
        }
        return names;
    }

    /** Calls an Extism export: input into the kernel, {@code () -> i32}, then output or error. */
    private Outcome callExport(Instance instance, String export, String payload) {
        kernel.setInput(payload.getBytes(StandardCharsets.UTF_8));
        ExportFunction f = instance.export(export);
        long[] r = f.apply();
        int status = r == null || r.length == 0 ? 0 : (int) r[0];
        long error = kernel.errorGet();
        if (status != 0 || error != 0) {
            String message = error != 0 ? kernel.readString(error) : "";
            return Outcome.error(ToolErrorKind.TOOL_ERROR, "tool '" + host.toolId() + "' reported an error ("
                    + export + " returned " + status + "): " + shorten(message.isBlank() ? "(no message)" : message));
        }
        byte[] out = kernel.output();
        return Outcome.ok(out == null ? new byte[0] : out);
    }

    /** Maps an MCP CallToolResult onto KAMI's output: structured content, else the text content. */
    private Outcome callToolResult(String name, byte[] raw) {
        Object parsed;
        try {
            parsed = JsonText.parse(new String(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (!(parsed instanceof Map<?, ?> result) || !(result.get("content") instanceof List<?> content)) {
            return Outcome.error(ToolErrorKind.INVALID_OUTPUT, "tool '" + host.toolId() + "' (" + name + ") returned "
                    + "something that is not an MCP CallToolResult (an object with a \"content\" array): "
                    + shorten(new String(raw, StandardCharsets.UTF_8)));
        }
        StringBuilder text = new StringBuilder();
        for (Object item : content) {
            if (text.length() > 0) {
                text.append('\n');
            }
            if (item instanceof Map<?, ?> c && "text".equals(c.get("type")) && c.get("text") instanceof String t) {
                text.append(t);
            } else {
                text.append(JsonText.write(item)); // images and resources: their JSON, until the core passes content
            }
        }
        if (Boolean.TRUE.equals(result.get("isError"))) {
            return Outcome.error(ToolErrorKind.TOOL_ERROR, "tool '" + host.toolId() + "' (" + name + ") reported an "
                    + "error: " + shorten(text.length() == 0 ? "(no message)" : text.toString()));
        }
        if (result.get("structuredContent") instanceof Map<?, ?> structured) {
            return Outcome.ok(JsonText.write(structured).getBytes(StandardCharsets.UTF_8));
        }
        return Outcome.ok(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String shorten(String text) {
        return text.length() <= MESSAGE_MAX ? text : text.substring(0, MESSAGE_MAX) + "… (" + text.length()
                + " characters)";
    }

    /** The memo of a single-tool plugin's tool name, kept per compiled module. Thread-safe. */
    public static final class ToolNames {
        private volatile String only;

        /** @return the remembered name, or null */
        public String get() {
            return only;
        }

        void set(String name) {
            only = name;
        }
    }
}
