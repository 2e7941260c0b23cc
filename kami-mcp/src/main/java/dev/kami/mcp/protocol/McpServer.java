package dev.kami.mcp.protocol;

import dev.kami.Kami;
import dev.kami.Registration;
import dev.kami.ToolChange;
import dev.kami.KamiListener;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The MCP protocol core, independent of any transport: serves a {@link Kami}'s enabled tools to
 * MCP clients of both eras — the legacy handshake ({@code initialize}, negotiating 2025-11-25,
 * 2025-06-18, 2025-03-26 and 2024-11-05) and the stateless 2026-07-28 revision (per-request
 * {@code _meta}, {@code server/discover}).
 *
 * <p>A transport opens one {@link McpSession} per client connection (a stdio process, a legacy
 * HTTP session, or one stateless HTTP request) and feeds it messages; replies come back as
 * futures so a slow tool never blocks the transport:
 *
 * <pre>{@code
 * McpServer mcp = McpServer.builder(kami).serverInfo("my-app", "1.0").build();
 * McpSession session = mcp.openSession(notification -> sendToClient(notification));
 * session.handle(line).thenAccept(replies -> replies.forEach(this::sendToClient));
 * }</pre>
 *
 * <p>Thread-safe. Does not own the {@link Kami}: {@link #close()} closes the sessions and stops
 * listening to tool changes, but leaves the {@code Kami} open.
 */
public final class McpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpServer.class);

    final Kami kami;
    final String serverName;
    final String serverVersion;
    final String instructions;
    final List<String> legacyVersions;
    final List<String> modernVersions;
    final List<String> supportedVersions;
    final int maxMessageBytes;
    final long listTtlMs;
    final String cacheScope;
    final McpServerListener listener;
    final ToolCatalog catalog;
    final Semaphore callPermits;
    final int maxConcurrentCalls;
    final ClientAdmission admission;
    private final Set<McpSession> sessions = ConcurrentHashMap.newKeySet();
    private final Registration subscription;
    private final AtomicBoolean closed = new AtomicBoolean();

    private McpServer(Builder b) {
        this.kami = b.kami;
        this.serverName = b.serverName;
        this.serverVersion = b.serverVersion;
        this.instructions = b.instructions;
        List<String> legacy = new ArrayList<>();
        List<String> modern = new ArrayList<>();
        for (String v : ProtocolVersions.ALL) {
            if (b.versions.contains(v)) {
                (ProtocolVersions.isModern(v) ? modern : legacy).add(v);
            }
        }
        this.legacyVersions = List.copyOf(legacy);
        this.modernVersions = List.copyOf(modern);
        List<String> all = new ArrayList<>(modern);
        all.addAll(legacy);
        this.supportedVersions = List.copyOf(all);
        this.maxMessageBytes = b.maxMessageBytes;
        this.listTtlMs = b.listTtl.toMillis();
        this.cacheScope = b.cacheScope;
        this.listener = b.listener;
        this.catalog = new ToolCatalog(kami, b.pageSize);
        this.maxConcurrentCalls = b.maxConcurrentCalls;
        this.callPermits = new Semaphore(b.maxConcurrentCalls);
        this.admission = new ClientAdmission(b.maxCallsPerClient, b.clientQueueWait.toMillis());
        this.subscription = kami.subscribe(new KamiListener() {
            @Override
            public void toolsChanged(ToolChange change) {
                onToolsChanged(change);
            }
        });
    }

    /** @return a builder serving {@code kami}'s tools */
    public static Builder builder(Kami kami) {
        return new Builder(kami);
    }

    /**
     * Opens a session: the protocol state of one client connection.
     *
     * @param notifications receives server-initiated messages (legacy
     *     {@code notifications/tools/list_changed}) as compact JSON; called on KAMI's threads, must
     *     not block for long; may be {@code null} when the transport cannot deliver them
     * @throws IllegalStateException if the server is closed
     */
    public McpSession openSession(Consumer<String> notifications) {
        return openSession(notifications, null);
    }

    /**
     * Opens a session for a known client: its tool calls count, with those of every other session
     * of the same client, against {@link Builder#maxCallsPerClient}.
     *
     * @param notifications as for {@link #openSession(Consumer)}
     * @param client the client's key, e.g. its IP address; {@code null}: the session is its own client
     * @throws IllegalStateException if the server is closed
     */
    public McpSession openSession(Consumer<String> notifications, String client) {
        requireOpen();
        McpSession s = new McpSession(this, notifications, client);
        sessions.add(s);
        if (closed.get()) {
            s.close();
            throw new IllegalStateException("the MCP server is closed");
        }
        return s;
    }

    void sessionClosed(McpSession s) {
        sessions.remove(s);
    }

    /**
     * Reads one message: refuses it when larger than the limit, not UTF-8, not JSON or not a
     * JSON-RPC request, notification or response. Never throws.
     *
     * @return the message; {@link IncomingMessage.Kind#INVALID} carries the error reply
     */
    public IncomingMessage parse(byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length > maxMessageBytes) {
            return tooLarge(message.length);
        }
        String text;
        try {
            text = Json.decodeUtf8(message);
        } catch (CharacterCodingException e) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.PARSE_ERROR,
                    "Parse error: the message is not valid UTF-8; MCP messages are UTF-8 JSON"));
        }
        return parseText(text);
    }

    /** As {@link #parse(byte[])} for a message already decoded. */
    public IncomingMessage parse(String message) {
        Objects.requireNonNull(message, "message");
        if (message.length() > maxMessageBytes) {
            return tooLarge(message.length());
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxMessageBytes) {
            return tooLarge(bytes.length);
        }
        return parseText(message);
    }

    private IncomingMessage tooLarge(long size) {
        return IncomingMessage.invalid(tooLargeReply(size));
    }

    /**
     * @param size the size of the refused message in bytes
     * @return the error a transport sends when it refused a message for its size without reading it all
     */
    public McpReply tooLargeReply(long size) {
        return Json.error(null, ErrorCodes.INVALID_REQUEST, "Invalid request: the message has " + size
                + " bytes (or more); this server accepts at most " + maxMessageBytes);
    }

    /** @return the largest message accepted, in bytes */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    private static IncomingMessage parseText(String text) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.PARSE_ERROR,
                    "Parse error: " + firstLine(e.getOriginalMessage())));
        }
        if (root == null || root.isMissingNode()) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.PARSE_ERROR, "Parse error: the message is empty"));
        }
        if (root.isArray()) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: JSON-RPC batches are not supported (MCP removed them in 2025-06-18); send one message at a time"));
        }
        if (!root.isObject()) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a JSON-RPC message is a JSON object"));
        }
        JsonNode id = root.get("id");
        boolean hasId = id != null;
        boolean idOk = hasId && (id.isString() || id.isNumber());
        JsonNode replyId = idOk ? id : null;
        JsonNode version = root.get("jsonrpc");
        if (version == null || !version.isString() || !"2.0".equals(version.stringValue())) {
            return IncomingMessage.invalid(Json.error(replyId, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"jsonrpc\" must be \"2.0\""));
        }
        JsonNode method = root.get("method");
        if (method == null) {
            if (root.has("result") || root.has("error")) {
                return IncomingMessage.response();
            }
            return IncomingMessage.invalid(Json.error(replyId, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"method\" is missing"));
        }
        if (!method.isString() || method.stringValue().isEmpty()) {
            return IncomingMessage.invalid(Json.error(replyId, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"method\" must be a non-empty string"));
        }
        if (hasId && !idOk) {
            return IncomingMessage.invalid(Json.error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"id\" must be a string or a number"));
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isObject()) {
            return IncomingMessage.invalid(hasId
                    ? Json.error(id, ErrorCodes.INVALID_REQUEST, "Invalid request: \"params\" must be an object")
                    : McpReply.none());
        }
        return hasId ? IncomingMessage.request(id, method.stringValue(), params)
                : IncomingMessage.notification(method.stringValue(), params);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed JSON";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private void onToolsChanged(ToolChange change) {
        catalog.invalidate(change.id().value());
        switch (change.kind()) {
            case INSTALLED, UPDATED, REMOVED, ENABLED, DISABLED -> {
                String n = Json.notification("notifications/tools/list_changed");
                for (McpSession s : sessions) {
                    s.notifyListChanged(n);
                }
            }
            default -> {
                // grants and pins do not change what tools/list shows
            }
        }
    }

    /** @return every protocol version served, modern first then legacy, newest first */
    public List<String> supportedVersions() {
        return supportedVersions;
    }

    /** @return the number of tool calls in flight over all sessions */
    public int inFlightCalls() {
        return maxConcurrentCalls - callPermits.availablePermits();
    }

    /**
     * @return whether a tool call would be admitted now (a call slot is free): what an HTTP
     *     readiness probe answers
     */
    public boolean admitsCalls() {
        return !closed.get() && callPermits.availablePermits() > 0;
    }

    /** @return the limit of tool calls in flight at once */
    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    /** @return the number of open sessions */
    public int sessionCount() {
        return sessions.size();
    }

    /** @return the {@link Kami} whose tools are served */
    public Kami kami() {
        return kami;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the MCP server is closed");
        }
    }

    void notifyListener(Consumer<McpServerListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            LOG.warn("MCP server listener failed: {}", e.toString());
        }
    }

    /** Closes every session (cancelling their calls) and stops listening to tool changes. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            subscription.close();
            for (McpSession s : List.copyOf(sessions)) {
                s.close();
            }
        }
    }

    /** Builds an {@link McpServer}. Setters validate at once. Not thread-safe. */
    public static final class Builder {
        private final Kami kami;
        private String serverName = "kami";
        private String serverVersion = "0.1.0";
        private String instructions;
        private int pageSize = 50;
        private List<String> versions = ProtocolVersions.ALL;
        private int maxMessageBytes = 4 * 1024 * 1024;
        private int maxConcurrentCalls = 256;
        private int maxCallsPerClient = Integer.MAX_VALUE;
        private Duration clientQueueWait = Duration.ofSeconds(30);
        private Duration listTtl = Duration.ofSeconds(60);
        private String cacheScope = "public";
        private McpServerListener listener = new McpServerListener() {
        };

        private Builder(Kami kami) {
            this.kami = Objects.requireNonNull(kami, "kami");
        }

        /** The name and version sent as server info (default {@code kami 0.1.0}). */
        public Builder serverInfo(String name, String version) {
            this.serverName = requireText(name, "server name");
            this.serverVersion = requireText(version, "server version");
            return this;
        }

        /** Guidance for the model, sent in {@code initialize} and {@code server/discover} results. */
        public Builder instructions(String text) {
            this.instructions = Objects.requireNonNull(text, "instructions");
            return this;
        }

        /** Tools per {@code tools/list} page (default 50). */
        public Builder pageSize(int n) {
            if (n < 1 || n > 10_000) {
                throw new IllegalArgumentException("pageSize must be in [1, 10000], got " + n);
            }
            this.pageSize = n;
            return this;
        }

        /**
         * The protocol versions to serve (default: all of {@link ProtocolVersions#ALL}).
         *
         * @throws IllegalArgumentException if empty or a version is unknown
         */
        public Builder supportedVersions(List<String> list) {
            if (list.isEmpty()) {
                throw new IllegalArgumentException("supportedVersions must not be empty");
            }
            for (String v : list) {
                if (!ProtocolVersions.ALL.contains(v)) {
                    throw new IllegalArgumentException("protocol version '" + v + "' is unknown; known: " + ProtocolVersions.ALL);
                }
            }
            this.versions = List.copyOf(list);
            return this;
        }

        /** The largest message accepted, in bytes (default 4 MiB); larger ones are refused unread by transports. */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Tool calls in flight at once over all sessions (default 256); more get a busy error result. */
        public Builder maxConcurrentCalls(int n) {
            if (n < 1 || n > 100_000) {
                throw new IllegalArgumentException("maxConcurrentCalls must be in [1, 100000], got " + n);
            }
            this.maxConcurrentCalls = n;
            return this;
        }

        /**
         * Tool calls one client may run at once (default: no limit besides
         * {@link #maxConcurrentCalls}); its further calls wait for one of them to end, in its own
         * line, at most {@link #clientQueueWait}, then get a busy error result. A client is what
         * the transport says (HTTP: the client's IP address), else one session. Size it below
         * KAMI's workers so that one client's long calls leave workers to the others.
         */
        public Builder maxCallsPerClient(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxCallsPerClient must be positive, got " + n);
            }
            this.maxCallsPerClient = n;
            return this;
        }

        /** How long a call beyond its client's {@link #maxCallsPerClient} may wait for its turn (default 30 s; 0: refuse at once). */
        public Builder clientQueueWait(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("clientQueueWait must not be negative, got " + d);
            }
            this.clientQueueWait = d;
            return this;
        }

        /** The freshness hint ({@code ttlMs}) on modern list and discover results (default 60 s). */
        public Builder listTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "listTtl");
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("listTtl must not be negative, got " + ttl);
            }
            this.listTtl = ttl;
            return this;
        }

        /** {@code "public"} (default: the tool list is the same for every caller) or {@code "private"}. */
        public Builder cacheScope(String scope) {
            if (!"public".equals(scope) && !"private".equals(scope)) {
                throw new IllegalArgumentException("cacheScope must be 'public' or 'private', got '" + scope + "'");
            }
            this.cacheScope = scope;
            return this;
        }

        /** Observes calls, cancellations and refusals. */
        public Builder listener(McpServerListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /** @return a server; it subscribes to the Kami's tool changes at once */
        public McpServer build() {
            return new McpServer(this);
        }

        private static String requireText(String s, String what) {
            Objects.requireNonNull(s, what);
            if (s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }

    static <T> CompletableFuture<T> done(T v) {
        return CompletableFuture.completedFuture(v);
    }
}
