package dev.kami.engine.chicory.extism;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.kami.ToolErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * hyper-mcp's v2 host functions ({@code extism:host/user}), every one provided so that a plugin
 * built against hyper-mcp's PDK always instantiates. What KAMI can do over MCP today it does:
 * notifications (progress, logging, list changes, resource updates) are recorded for the MCP layer
 * and written to the call's log; {@code list_roots} answers an empty list; elicitation is declined
 * with {@code {"action":"decline"}}; sampling ({@code create_message}) and
 * {@code get_keyring_secret} end the call with a tool error that says they are not supported,
 * which is how hyper-mcp's own host reports a failed host call. Confined to the calling thread.
 */
final class HyperMcpFunctions {
    /** The most notifications one call may send. */
    static final int MAX_NOTIFICATIONS = 1000;

    private final ExtismKernel kernel;
    private final ExtismHost host;
    private final List<String> notifications = new ArrayList<>();

    HyperMcpFunctions(ExtismKernel kernel, ExtismHost host) {
        this.kernel = kernel;
        this.host = host;
    }

    List<String> notifications() {
        return List.copyOf(notifications);
    }

    /** @return the {@code extism:host/user} function of that name, or null */
    HostFunction function(String name) {
        return switch (name) {
            case "notify_progress" -> notification(name, "notifications/progress");
            case "notify_logging_message" -> notification(name, "notifications/message");
            case "notify_resource_updated" -> notification(name, "notifications/resources/updated");
            case "notify_url_elicitation_completed" -> notification(name, "notifications/elicitation/complete");
            case "notify_tool_list_changed" -> notification(name, "notifications/tools/list_changed");
            case "notify_prompt_list_changed" -> notification(name, "notifications/prompts/list_changed");
            case "notify_resource_list_changed" -> notification(name, "notifications/resources/list_changed");
            case "create_elicitation" -> fn(name, (inst, a) -> {
                record("declined elicitation/create", a[0]);
                return new long[] {kernel.alloc(inst, "{\"action\":\"decline\"}".getBytes(StandardCharsets.UTF_8))};
            });
            case "list_roots" -> fn(name, (inst, a) -> new long[] {kernel.alloc(inst,
                    "{\"roots\":[]}".getBytes(StandardCharsets.UTF_8))});
            case "create_message" -> fn(name, (inst, a) -> {
                record("declined sampling/createMessage", a[0]);
                throw host.abort(ToolErrorKind.TOOL_ERROR, "tool '" + host.toolId() + "' asked the client for "
                        + "sampling (hyper-mcp create_message), which KAMI does not offer yet; the request was "
                        + "declined. Use a tool that does not need sampling, or call the model from the agent instead");
            });
            case "get_keyring_secret" -> fn(name, (inst, a) -> {
                record("declined get_keyring_secret", 0);
                throw host.abort(ToolErrorKind.TOOL_ERROR, "tool '" + host.toolId() + "' asked for a keyring secret "
                        + "(hyper-mcp get_keyring_secret), which KAMI does not give plugins; the request was "
                        + "declined. Give the value as operator configuration instead: the plugin reads it with "
                        + "config_get");
            });
            default -> null;
        };
    }

    private HostFunction notification(String name, String method) {
        boolean takesParams = !ExtismAbi.provided(ExtismAbi.USER).get(name).params().isEmpty();
        return fn(name, (inst, a) -> {
            record(method, takesParams ? a[0] : 0);
            return null;
        });
    }

    private void record(String method, long paramsOffset) {
        if (notifications.size() >= MAX_NOTIFICATIONS) {
            throw host.abort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + host.toolId() + "' sent more than "
                    + MAX_NOTIFICATIONS + " MCP notifications in one call");
        }
        long len = kernel.length(paramsOffset);
        if (len > host.maxOutputBytes()) {
            throw host.abort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + host.toolId() + "' sent a notification of "
                    + len + " bytes, more than its limit of " + host.maxOutputBytes() + " bytes (max_output_bytes)");
        }
        String params = paramsOffset == 0 ? "" : " " + kernel.readString(paramsOffset);
        String line = method + params;
        notifications.add(line);
        host.log(2, ("mcp " + line).getBytes(StandardCharsets.UTF_8));
    }

    private static HostFunction fn(String name, WasmFunctionHandle h) {
        return new HostFunction(ExtismAbi.USER, name, ExtismAbi.provided(ExtismAbi.USER).get(name), h);
    }
}
