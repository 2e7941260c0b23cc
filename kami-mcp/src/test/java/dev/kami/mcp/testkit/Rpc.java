package dev.kami.mcp.testkit;

import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.kami.mcp.protocol.McpSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Raw JSON-RPC helpers for tests. */
public final class Rpc {
    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final String MODERN_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}";

    private Rpc() {
    }

    public static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    /** Sends one message and returns the single reply (fails if there is none). */
    public static JsonNode one(McpSession s, String message) {
        List<String> replies = all(s, message);
        if (replies.size() != 1) {
            throw new AssertionError("expected one reply to " + message + ", got " + replies);
        }
        return parse(replies.get(0));
    }

    public static List<String> all(McpSession s, String message) {
        try {
            return s.handle(message).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static String request(Object id, String method, String paramsJson) {
        String idText = id instanceof String ? "\"" + id + "\"" : String.valueOf(id);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idText + ",\"method\":\"" + method + "\""
                + (paramsJson != null ? ",\"params\":" + paramsJson : "") + "}";
    }

    public static String modern(Object id, String method, String extraParams) {
        return request(id, method, "{" + MODERN_META + (extraParams != null ? "," + extraParams : "") + "}");
    }

    public static String initialize(String version) {
        return request(0, "initialize", "{\"protocolVersion\":\"" + version
                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}");
    }

    public static String call(Object id, String tool, String argsJson) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\"" + (argsJson != null ? ",\"arguments\":" + argsJson : "")
                + "}");
    }

    /** @return the JSON-RPC message of an HTTP response body: plain JSON, or the last SSE {@code data:} line */
    public static JsonNode body(java.net.http.HttpResponse<String> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            return parse(r.body());
        }
        String data = null;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        if (data == null) {
            throw new AssertionError("no data in SSE body: " + r.body());
        }
        return parse(data);
    }

    /** @return the JSON-RPC message of a response body of this content type (JSON, or the last SSE data line) */
    public static JsonNode body(String contentType, String body) {
        if (contentType == null || !contentType.startsWith("text/event-stream")) {
            return parse(body);
        }
        String data = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        if (data == null) {
            throw new AssertionError("no data in SSE body: " + body);
        }
        return parse(data);
    }

    public static int errorCode(JsonNode reply) {
        return reply.path("error").path("code").asInt();
    }
}
