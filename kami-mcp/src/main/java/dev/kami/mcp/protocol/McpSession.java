package dev.kami.mcp.protocol;

import dev.kami.BusyException;
import dev.kami.CallOptions;
import dev.kami.CancellationToken;
import dev.kami.InstalledTool;
import dev.kami.KamiException;
import dev.kami.ToolErrorKind;
import dev.kami.ToolNotFoundException;
import dev.kami.ToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The protocol state of one client connection: the negotiated legacy version (if the client
 * opened with {@code initialize}) and the requests in flight, so {@code notifications/cancelled}
 * can stop them. Modern (2026-07-28) requests need no state and are served in any session.
 *
 * <p>Thread-safe: messages may be handled concurrently; replies complete on KAMI's threads.
 * {@link #close()} cancels the calls in flight; their replies are dropped.
 */
public final class McpSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpSession.class);
    private static final String META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    private final McpServer server;
    private final Consumer<String> notifications;
    /** The key this session's calls count under against maxCallsPerClient. */
    private final Object client;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile String legacyVersion;
    private volatile boolean clientInitialized;
    private volatile boolean closed;
    private volatile java.util.function.Predicate<String> toolFilter;

    /** A running tool call: its token, and when it was cancelled (0 when not). */
    private static final class InFlight {
        final CancellationToken token = new CancellationToken();
        volatile long cancelledAtNanos;
    }

    /** An open {@code subscriptions/listen} stream: its request id and what it asked for. */
    private static final class Subscription {
        final JsonNode id;
        final boolean toolsListChanged;
        final CompletableFuture<McpReply> done = new CompletableFuture<>();
        /** False until the acknowledgment is out; a list change meanwhile is held, not lost. Guarded by this. */
        private boolean acknowledged;
        private boolean changeHeld;

        Subscription(JsonNode id, boolean toolsListChanged) {
            this.id = id;
            this.toolsListChanged = toolsListChanged;
        }

        /** @return whether to deliver a list change now (else it is held until the acknowledgment) */
        synchronized boolean deliverNowOrHold() {
            if (!acknowledged) {
                changeHeld = true;
            }
            return acknowledged;
        }

        /** @return whether a list change arrived before the acknowledgment went out */
        synchronized boolean acknowledge() {
            acknowledged = true;
            return changeHeld;
        }
    }

    McpSession(McpServer server, Consumer<String> notifications, String client) {
        this.server = server;
        this.notifications = notifications;
        this.client = client != null ? client : this;
    }

    /**
     * Limits what {@code tools/list} shows to this session's client (e.g. the tools its OAuth
     * token's scopes grant); the transport refuses calls to the others itself. The HTTP transport
     * sets it from each request's token, so a refreshed token with more scopes lists more.
     *
     * @param visible which tool names (MCP names) the client may see; {@code null}: all
     */
    public void toolFilter(java.util.function.Predicate<String> visible) {
        this.toolFilter = visible;
    }

    /**
     * Handles one raw message.
     *
     * @return the replies to send (empty or one), completed when the request is done
     */
    public CompletableFuture<List<String>> handle(byte[] message) {
        return handle(server.parse(message)).thenApply(McpSession::asList);
    }

    /** As {@link #handle(byte[])} for a decoded message. */
    public CompletableFuture<List<String>> handle(String message) {
        return handle(server.parse(message)).thenApply(McpSession::asList);
    }

    private static List<String> asList(McpReply r) {
        return r.isPresent() ? List.of(r.json()) : List.of();
    }

    /**
     * Handles one parsed message. Never completes exceptionally: faults become JSON-RPC errors.
     *
     * @return the reply, {@link McpReply#none()} for notifications, responses and cancelled calls
     */
    public CompletableFuture<McpReply> handle(IncomingMessage m) {
        try {
            switch (m.kind()) {
                case INVALID:
                    return McpServer.done(m.errorReply());
                case RESPONSE:
                    return McpServer.done(McpReply.none());
                case NOTIFICATION:
                    onNotification(m);
                    return McpServer.done(McpReply.none());
                default:
                    return onRequest(m);
            }
        } catch (RuntimeException e) {
            LOG.error("MCP request {} failed", m, e);
            return McpServer.done(m.isRequest()
                    ? Json.error(m.id(), ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName()
                            + "; see the server log")
                    : McpReply.none());
        }
    }

    /** @return the version negotiated by {@code initialize}, or {@code null} before it */
    public String protocolVersion() {
        return legacyVersion;
    }

    /** @return whether {@code initialize} succeeded in this session */
    public boolean isInitialized() {
        return legacyVersion != null;
    }

    /** @return the number of tool calls in flight in this session */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** Cancels every call in flight in this session. */
    public void cancelAll() {
        long now = System.nanoTime();
        for (InFlight f : inFlight.values()) {
            if (f.cancelledAtNanos == 0) {
                f.cancelledAtNanos = now;
            }
            f.token.cancel();
        }
    }

    /** @return the number of open {@code subscriptions/listen} streams in this session */
    public int subscriptionCount() {
        return subscriptions.size();
    }

    /**
     * Ends every {@code subscriptions/listen} stream gracefully: each request is answered with a
     * completion result carrying its subscription id (what a server does when it shuts down).
     */
    public void endSubscriptions() {
        for (String key : List.copyOf(subscriptions.keySet())) {
            Subscription sub = subscriptions.remove(key);
            if (sub != null) {
                ObjectNode r = Json.object();
                r.putObject("_meta").set(META_SUBSCRIPTION_ID, sub.id);
                sub.done.complete(Json.result(sub.id, modern(r, false)));
            }
        }
    }

    /** Ends the subscriptions, cancels the calls in flight and stops notifications. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            endSubscriptions();
            closed = true;
            cancelAll();
            server.sessionClosed(this);
        }
    }

    void notifyListChanged(String json) {
        if (notifications == null || closed) {
            return;
        }
        if (legacyVersion != null) {
            deliver(json);
        }
        for (Subscription sub : subscriptions.values()) {
            if (sub.toolsListChanged && sub.deliverNowOrHold()) {
                deliver(listChanged(sub));
            }
        }
    }

    private static String listChanged(Subscription sub) {
        ObjectNode n = Json.object();
        n.put("jsonrpc", "2.0");
        n.put("method", "notifications/tools/list_changed");
        n.putObject("params").putObject("_meta").set(META_SUBSCRIPTION_ID, sub.id);
        return Json.write(n);
    }

    private void deliver(String json) {
        try {
            notifications.accept(json);
        } catch (RuntimeException e) {
            LOG.warn("could not deliver a notification: {}", e.toString());
        }
    }

    // ---- notifications --------------------------------------------------------------------

    private void onNotification(IncomingMessage m) {
        switch (m.method()) {
            case "notifications/initialized" -> clientInitialized = true;
            case "notifications/cancelled" -> {
                JsonNode params = m.params();
                JsonNode requestId = params == null ? null : params.get("requestId");
                if (requestId == null || !(requestId.isString() || requestId.isNumber())) {
                    LOG.debug("notifications/cancelled without a valid requestId ignored");
                    return;
                }
                Subscription sub = subscriptions.remove(key(requestId));
                if (sub != null) {
                    sub.done.complete(McpReply.none()); // the client ended it: send nothing more
                    return;
                }
                InFlight f = inFlight.get(key(requestId));
                LOG.debug("notifications/cancelled for {}: {}", requestId, f != null ? "cancelling" : "not in flight");
                if (f != null) {
                    if (f.cancelledAtNanos == 0) {
                        f.cancelledAtNanos = System.nanoTime();
                    }
                    f.token.cancel();
                }
            }
            default -> LOG.debug("notification {} ignored", m.method());
        }
    }

    // ---- requests -------------------------------------------------------------------------

    private CompletableFuture<McpReply> onRequest(IncomingMessage m) {
        if (closed) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INTERNAL_ERROR, "the MCP session is closed"));
        }
        return m.isModern() ? onModern(m) : onLegacy(m);
    }

    private CompletableFuture<McpReply> onModern(IncomingMessage m) {
        JsonNode meta = m.meta();
        JsonNode version = meta.get(IncomingMessage.META_PROTOCOL_VERSION);
        if (!version.isString()) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INVALID_PARAMS,
                    "Invalid params: _meta[\"" + IncomingMessage.META_PROTOCOL_VERSION + "\"] must be a string"));
        }
        if (!server.modernVersions.contains(version.stringValue())) {
            ObjectNode data = Json.object();
            ArrayNode supported = data.putArray("supported");
            server.supportedVersions.forEach(supported::add);
            data.put("requested", version.stringValue());
            return McpServer.done(Json.error(m.id(), ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION,
                    "Unsupported protocol version '" + ToolCatalog.abbreviate(version.stringValue())
                            + "'; supported: " + server.supportedVersions, data));
        }
        JsonNode caps = meta.get(IncomingMessage.META_CLIENT_CAPABILITIES);
        if (caps == null || !caps.isObject()) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: _meta[\""
                    + IncomingMessage.META_CLIENT_CAPABILITIES + "\"] is required on every 2026-07-28 request (an object;"
                    + " {} when the client declares none)"));
        }
        switch (m.method()) {
            case "server/discover":
                return McpServer.done(Json.result(m.id(), modern(discover(), true)));
            case "tools/list":
                return McpServer.done(toolsList(m, true));
            case "tools/call":
                return toolsCall(m, true);
            case "subscriptions/listen":
                return listen(m);
            default:
                return McpServer.done(Json.error(m.id(), ErrorCodes.METHOD_NOT_FOUND, "Method not found: '"
                        + ToolCatalog.abbreviate(m.method()) + "' (protocol " + version.stringValue()
                        + " serves server/discover, tools/list, tools/call and subscriptions/listen)"));
        }
    }

    private CompletableFuture<McpReply> onLegacy(IncomingMessage m) {
        String method = m.method();
        switch (method) {
            case "initialize":
                return McpServer.done(initialize(m));
            case "ping":
                return McpServer.done(Json.result(m.id(), Json.object()));
            case "server/discover":
                return McpServer.done(missingMeta(m));
            case "tools/list":
            case "tools/call":
                if (legacyVersion == null) {
                    return McpServer.done(missingMeta(m));
                }
                return method.equals("tools/list") ? McpServer.done(toolsList(m, false)) : toolsCall(m, false);
            default:
                return McpServer.done(Json.error(m.id(), ErrorCodes.METHOD_NOT_FOUND, "Method not found: '"
                        + ToolCatalog.abbreviate(method) + "' (this server offers tools only: initialize, ping,"
                        + " tools/list, tools/call; and server/discover for 2026-07-28)"));
        }
    }

    private McpReply missingMeta(IncomingMessage m) {
        return Json.error(m.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: params._meta[\""
                + IncomingMessage.META_PROTOCOL_VERSION + "\"] and [\"" + IncomingMessage.META_CLIENT_CAPABILITIES
                + "\"] are required (protocol 2026-07-28); legacy clients call initialize first");
    }

    private McpReply initialize(IncomingMessage m) {
        if (server.legacyVersions.isEmpty()) {
            return Json.error(m.id(), ErrorCodes.INVALID_REQUEST, "initialize is not served: this server speaks only "
                    + server.modernVersions + " (stateless; send _meta with every request)");
        }
        JsonNode params = m.params();
        JsonNode requested = params == null ? null : params.get("protocolVersion");
        if (requested == null || !requested.isString()) {
            return Json.error(m.id(), ErrorCodes.INVALID_PARAMS,
                    "Invalid params: initialize needs params.protocolVersion (a string such as \"2025-11-25\")");
        }
        if (legacyVersion != null) {
            return Json.error(m.id(), ErrorCodes.INVALID_REQUEST, "Invalid request: this session is already initialized"
                    + " (protocol " + legacyVersion + "); start a new session to initialize again");
        }
        String version = server.legacyVersions.contains(requested.stringValue()) ? requested.stringValue()
                : server.legacyVersions.get(0);
        legacyVersion = version;
        ObjectNode r = Json.object();
        r.put("protocolVersion", version);
        r.set("capabilities", capabilities(true));
        ObjectNode info = r.putObject("serverInfo");
        info.put("name", server.serverName);
        info.put("version", server.serverVersion);
        if (server.instructions != null) {
            r.put("instructions", server.instructions);
        }
        return Json.result(m.id(), r);
    }

    private ObjectNode capabilities(boolean legacy) {
        ObjectNode caps = Json.object();
        ObjectNode tools = caps.putObject("tools");
        // Legacy sessions get list changes pushed when the transport can push; the modern era
        // delivers them on subscriptions/listen streams (stdio, or HTTP SSE).
        tools.put("listChanged", !legacy || notifications != null);
        return caps;
    }

    private ObjectNode discover() {
        ObjectNode r = Json.object();
        ArrayNode versions = r.putArray("supportedVersions");
        server.supportedVersions.forEach(versions::add);
        r.set("capabilities", capabilities(false));
        if (server.instructions != null) {
            r.put("instructions", server.instructions);
        }
        r.put("ttlMs", server.listTtlMs);
        r.put("cacheScope", server.cacheScope);
        return r;
    }

    private ObjectNode modern(ObjectNode result, boolean cacheable) {
        result.put("resultType", "complete");
        ObjectNode meta = result.has("_meta") ? (ObjectNode) result.get("_meta") : result.putObject("_meta");
        ObjectNode info = meta.putObject(IncomingMessage.META_SERVER_INFO);
        info.put("name", server.serverName);
        info.put("version", server.serverVersion);
        if (cacheable && !result.has("ttlMs")) {
            result.put("ttlMs", server.listTtlMs);
            result.put("cacheScope", server.cacheScope);
        }
        return result;
    }

    private CompletableFuture<McpReply> listen(IncomingMessage m) {
        if (notifications == null) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INVALID_REQUEST, "Invalid request: subscriptions/listen"
                    + " needs a stream for its notifications (stdio, or HTTP with Accept: text/event-stream)"));
        }
        JsonNode filter = m.params().get("notifications");
        if (filter != null && !filter.isObject()) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INVALID_PARAMS,
                    "Invalid params: notifications must be an object such as {\"toolsListChanged\": true}"));
        }
        String key = key(m.id());
        if (inFlight.containsKey(key) || subscriptions.containsKey(key)) {
            return McpServer.done(Json.error(m.id(), ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a request with id " + m.id() + " is still running; use a new id"));
        }
        JsonNode tools = filter == null ? null : filter.get("toolsListChanged");
        boolean wantsTools = tools != null && tools.isBoolean() && tools.booleanValue();
        Subscription sub = new Subscription(m.id(), wantsTools);
        // Registered before its acknowledgment goes out, so no change is missed; a change in between
        // is held and delivered right after the acknowledgment, never before it.
        subscriptions.put(key, sub);
        ObjectNode ack = Json.object();
        ack.put("jsonrpc", "2.0");
        ack.put("method", "notifications/subscriptions/acknowledged");
        ObjectNode params = ack.putObject("params");
        params.putObject("_meta").set(META_SUBSCRIPTION_ID, m.id());
        ObjectNode agreed = params.putObject("notifications");
        if (wantsTools) {
            agreed.put("toolsListChanged", true);
        }
        deliver(Json.write(ack));
        if (sub.acknowledge()) {
            deliver(listChanged(sub));
        }
        if (closed) {
            endSubscriptions();
        }
        return sub.done;
    }

    private McpReply toolsList(IncomingMessage m, boolean modern) {
        JsonNode params = m.params();
        JsonNode cursor = params == null ? null : params.get("cursor");
        if (cursor != null && !cursor.isNull() && !cursor.isString()) {
            return Json.error(m.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: cursor must be a string");
        }
        ToolCatalog.Page page;
        try {
            page = server.catalog.page(cursor == null || cursor.isNull() ? null : cursor.stringValue(), toolFilter);
        } catch (IllegalArgumentException e) {
            return Json.error(m.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: " + e.getMessage()
                    + "; list again without a cursor");
        }
        ObjectNode r = Json.object();
        ArrayNode tools = r.putArray("tools");
        page.tools().forEach(tools::add);
        if (page.nextCursor() != null) {
            r.put("nextCursor", page.nextCursor());
        }
        return Json.result(m.id(), modern ? modern(r, true) : r);
    }

    private CompletableFuture<McpReply> toolsCall(IncomingMessage m, boolean modern) {
        JsonNode params = m.params();
        JsonNode id = m.id();
        String name = m.name();
        if (name == null) {
            return McpServer.done(Json.error(id, ErrorCodes.INVALID_PARAMS,
                    "Invalid params: tools/call needs params.name, the tool's name from tools/list"));
        }
        JsonNode args = params.get("arguments");
        if (args != null && args.isNull()) {
            args = null;
        }
        if (args != null && !args.isObject()) {
            return McpServer.done(Json.error(id, ErrorCodes.INVALID_PARAMS,
                    "Invalid params: params.arguments must be an object"));
        }
        Optional<InstalledTool> found = server.kami.find(name);
        if (found.isEmpty() || !found.get().enabled() || !found.get().mcpName().equals(name)) {
            return McpServer.done(unknownTool(id, name));
        }
        InstalledTool tool = found.get();
        ObjectNode arguments = args == null ? Json.object() : (ObjectNode) args;
        List<String> problems = server.catalog.validate(tool, arguments);
        if (!problems.isEmpty()) {
            return McpServer.done(Json.result(id, callResult(true, "Invalid arguments for tool '" + name + "': "
                    + String.join("; ", problems) + ". Expected arguments matching this JSON Schema: "
                    + Json.write(ToolCatalog.inputSchemaNode(tool)) + ". Fix the arguments and call again.",
                    null, modern)));
        }
        if (!server.callPermits.tryAcquire()) {
            String reason = "busy: " + server.maxConcurrentCalls + " tool calls are already running";
            server.notifyListener(l -> l.callRejected(name, reason));
            return McpServer.done(Json.result(id, callResult(true, "The server is " + reason
                    + "; retry this call in a few seconds.", null, modern)));
        }
        String key = key(id);
        InFlight f = new InFlight();
        if (inFlight.putIfAbsent(key, f) != null) {
            server.callPermits.release();
            return McpServer.done(Json.error(id, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a request with id " + id + " is still running; use a new id"));
        }
        CompletableFuture<McpReply> out = new CompletableFuture<>();
        ClientAdmission admission = server.admission;
        Runnable start = () -> run(name, id, arguments, key, f, modern, out);
        Runnable timedOut = () -> {
            inFlight.remove(key, f);
            server.callPermits.release();
            String reason = "busy for this client: " + admission.share() + " of its calls are running, the most one"
                    + " client may run at once";
            server.notifyListener(l -> l.callRejected(name, reason));
            out.complete(Json.result(id, callResult(true, "The server is " + reason + (admission.waitMs() > 0
                    ? ", and this call waited " + admission.waitMs() + " ms for one of them to finish" : "")
                    + "; retry this call when one of them finishes.", null, modern)));
        };
        ClientAdmission.Waiter waiter = admission.enter(client, start, timedOut);
        if (waiter != null) {
            // cancelled while waiting for its turn: it leaves the line, and no result follows
            f.token.onCancel(() -> {
                if (admission.abandon(waiter)) {
                    inFlight.remove(key, f);
                    server.callPermits.release();
                    out.complete(McpReply.none());
                }
            });
        }
        return out;
    }

    /** Runs an admitted call; its end lets the client's next waiting call start. */
    private void run(String name, JsonNode id, ObjectNode arguments, String key, InFlight f, boolean modern,
            CompletableFuture<McpReply> out) {
        long start = System.nanoTime();
        server.notifyListener(l -> l.callStarted(name));
        CompletableFuture<ToolResult> call;
        try {
            call = server.kami.callAsync(name, Json.write(arguments), CallOptions.defaults().withCancellation(f.token));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.handle((result, failure) -> {
            inFlight.remove(key, f);
            server.callPermits.release();
            long end = System.nanoTime();
            McpReply reply = failure == null ? Json.result(id, callResult(result, modern)) : failed(id, name, failure, modern);
            boolean isError = failure != null || (result != null && result.isError());
            server.notifyListener(l -> l.callFinished(name, isError, Duration.ofNanos(end - start)));
            if (f.cancelledAtNanos != 0) {
                server.notifyListener(l -> l.callCancelled(name, Duration.ofNanos(Math.max(0, end - f.cancelledAtNanos))));
                // The client said it will not use the result: send nothing (MCP cancellation rules).
                return McpReply.none();
            }
            return reply;
        }).whenComplete((reply, failure) -> {
            server.admission.leave(client);
            if (failure != null) {
                out.completeExceptionally(failure);
            } else {
                out.complete(reply);
            }
        });
    }

    private McpReply failed(JsonNode id, String name, Throwable failure, boolean modern) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ToolNotFoundException) {
            return unknownTool(id, name);
        }
        if (t instanceof BusyException) {
            server.notifyListener(l -> l.callRejected(name, t.getMessage()));
            return Json.result(id, callResult(true, "The server is busy: " + t.getMessage()
                    + " Retry this call in a few seconds.", null, modern));
        }
        if (t instanceof KamiException || t instanceof IllegalStateException) {
            // KAMI's own refusals carry a message; a bare IllegalStateException may not
            String why = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            return Json.result(id, callResult(true, "The call was refused: " + why, null, modern));
        }
        LOG.error("tools/call {} failed inside the server", name, t);
        return Json.result(id, callResult(true, "The call failed inside the server (" + t.getClass().getSimpleName()
                + "); this is not a problem with the arguments. Report it to the operator.", null, modern));
    }

    private McpReply unknownTool(JsonNode id, String name) {
        return Json.error(id, ErrorCodes.INVALID_PARAMS, "Unknown tool: '" + ToolCatalog.abbreviate(name)
                + "'; call tools/list for the available tools");
    }

    private ObjectNode callResult(ToolResult r, boolean modern) {
        if (!r.isError()) {
            return callResult(false, r.text(), r.structuredJson(), modern);
        }
        return callResult(true, errorText(r), null, modern);
    }

    private static String errorText(ToolResult r) {
        ToolErrorKind k = r.errorKind();
        return switch (k) {
            case TOOL_ERROR, NON_ZERO_EXIT, INVALID_ARGUMENTS -> r.text();
            default -> k.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + r.text();
        };
    }

    private ObjectNode callResult(boolean isError, String text, String structuredJson, boolean modern) {
        ObjectNode r = Json.object();
        ArrayNode content = r.putArray("content");
        ObjectNode c = content.addObject();
        c.put("type", "text");
        c.put("text", text);
        if (structuredJson != null) {
            try {
                JsonNode s = Json.MAPPER.readTree(structuredJson);
                // Before 2026-07-28 structuredContent had to be an object; later any JSON value.
                if (modern || s.isObject()) {
                    r.set("structuredContent", s);
                }
            } catch (RuntimeException e) {
                LOG.debug("structured output is not JSON; sent as text only: {}", e.toString());
            }
        }
        r.put("isError", isError);
        return modern ? modern(r, false) : r;
    }

    private static String key(JsonNode id) {
        return (id.isString() ? "s:" : "n:") + (id.isString() ? id.stringValue() : id.asString());
    }
}
