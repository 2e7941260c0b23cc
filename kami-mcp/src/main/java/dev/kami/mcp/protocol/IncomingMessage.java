package dev.kami.mcp.protocol;

import tools.jackson.databind.JsonNode;

/**
 * One JSON-RPC message as read by {@link McpServer#parse(byte[])}: already checked for size,
 * UTF-8, JSON syntax and JSON-RPC shape. A host (an HTTP framework, say) can route on it — check
 * headers against {@link #method()}, {@link #protocolVersion()} and {@link #name()} — before
 * giving it to {@link McpSession#handle(IncomingMessage)}. Immutable.
 */
public final class IncomingMessage {

    /** What kind of JSON-RPC message this is. */
    public enum Kind {
        /** A request: has a method and an id; expects a response. */
        REQUEST,
        /** A notification: has a method and no id. */
        NOTIFICATION,
        /** A response from the client (has a result or an error); ignored. */
        RESPONSE,
        /** Not acceptable: {@link #errorReply()} is the answer. */
        INVALID
    }

    static final String META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

    private final Kind kind;
    private final JsonNode id;
    private final String method;
    private final JsonNode params;
    private final McpReply errorReply;

    private IncomingMessage(Kind kind, JsonNode id, String method, JsonNode params, McpReply errorReply) {
        this.kind = kind;
        this.id = id;
        this.method = method;
        this.params = params;
        this.errorReply = errorReply;
    }

    static IncomingMessage request(JsonNode id, String method, JsonNode params) {
        return new IncomingMessage(Kind.REQUEST, id, method, params, McpReply.none());
    }

    static IncomingMessage notification(String method, JsonNode params) {
        return new IncomingMessage(Kind.NOTIFICATION, null, method, params, McpReply.none());
    }

    static IncomingMessage response() {
        return new IncomingMessage(Kind.RESPONSE, null, null, null, McpReply.none());
    }

    static IncomingMessage invalid(McpReply reply) {
        return new IncomingMessage(Kind.INVALID, null, null, null, reply);
    }

    /** @return what kind of message this is */
    public Kind kind() {
        return kind;
    }

    /** @return the method, or {@code null} for responses and invalid messages */
    public String method() {
        return method;
    }

    /** @return whether this is a request (expects a response) */
    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    /** @return whether this is a notification */
    public boolean isNotification() {
        return kind == Kind.NOTIFICATION;
    }

    /** @return the error response for an {@link Kind#INVALID} message, else {@link McpReply#none()} */
    public McpReply errorReply() {
        return errorReply;
    }

    /**
     * @return an error response to this request, with its id: for a transport that must give up
     *     on a request it accepted (the server shutting down, say)
     */
    public McpReply errorResponse(int code, String message) {
        return Json.error(id, code, message);
    }

    /**
     * @return {@code params._meta["io.modelcontextprotocol/protocolVersion"]} when it is a string,
     *     else {@code null}; its presence marks a modern (2026-07-28) request
     */
    public String protocolVersion() {
        JsonNode v = meta().get(META_PROTOCOL_VERSION);
        return v != null && v.isString() ? v.stringValue() : null;
    }

    /** @return whether the message carries modern per-request metadata */
    public boolean isModern() {
        return meta().has(META_PROTOCOL_VERSION);
    }

    /** @return {@code params.name} (the tool of a {@code tools/call}) when it is a string, else {@code null} */
    public String name() {
        JsonNode n = params == null ? null : params.get("name");
        return n != null && n.isString() ? n.stringValue() : null;
    }

    JsonNode id() {
        return id;
    }

    JsonNode params() {
        return params;
    }

    JsonNode meta() {
        if (params == null) {
            return tools.jackson.databind.node.MissingNode.getInstance();
        }
        JsonNode m = params.get("_meta");
        return m != null && m.isObject() ? m : tools.jackson.databind.node.MissingNode.getInstance();
    }

    @Override
    public String toString() {
        return kind + (method != null ? " " + method : "") + (id != null ? " id=" + id : "");
    }
}
