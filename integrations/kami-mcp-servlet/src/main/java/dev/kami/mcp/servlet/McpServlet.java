package dev.kami.mcp.servlet;

import static dev.kami.mcp.http.RequestChecks.SESSION_HEADER;
import static dev.kami.mcp.http.RequestChecks.VERSION_HEADER;

import dev.kami.mcp.http.RequestChecks;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.protocol.ErrorCodes;
import dev.kami.mcp.protocol.IncomingMessage;
import dev.kami.mcp.protocol.McpReply;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import dev.kami.mcp.protocol.ProtocolVersions;
import dev.kami.mcp.servlet.LegacySessions.Session;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP Streamable HTTP endpoint as a Jakarta Servlet (6.0 or later), for a service that
 * already runs Tomcat, Jetty or Undertow: the same protocol core ({@link McpServer}) and the same
 * {@link RequestChecks} (Host, Origin, bearer token, request size) as the built-in HTTP server.
 * Both eras: legacy sessions ({@code Mcp-Session-Id} minted at {@code initialize}, GET for their
 * SSE stream, DELETE to end them) and stateless 2026-07-28 requests (their headers checked against
 * the body; a request still running after the keep-alive interval is answered on an SSE stream;
 * the client closing that stream cancels the call).
 *
 * <p>Register it with async support, on one path (its mapping is the endpoint):
 *
 * <pre>{@code
 * McpServer mcp = McpServer.builder(kami).build();
 * McpServlet servlet = McpServlet.builder(mcp).tokenValidator(TokenValidator.constant(secret)).build();
 * ServletHolder holder = new ServletHolder(servlet);   // Jetty; Tomcat: Wrapper.setAsyncSupported(true)
 * holder.setAsyncSupported(true);
 * context.addServlet(holder, "/mcp");
 * }</pre>
 *
 * <p>The container owns the connections: its own timeouts and limits bound slow or stalled
 * clients. {@link #destroy()} answers every request still running with a shutting-down error and
 * ends the sessions; it closes the {@link McpServer} only when {@link Builder#closeMcpServer} says
 * so. Thread-safe.
 */
public final class McpServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(McpServlet.class);

    static final String SHUTTING_DOWN = "The server is shutting down: this request was cancelled before it finished;"
            + " retry it (on another node, or once the server is back)";
    static final String CANCELLED = "Request cancelled: the client cancelled it (notifications/cancelled); no result"
            + " follows";
    static final String SESSION_ENDED = "Session ended while this request ran (deleted, expired or the server stopped):"
            + " the request was cancelled; call initialize to start a new session and retry";
    private static final long SESSION_STREAM_KEEPALIVE_MS = 15_000;

    private final transient McpServer mcp;
    private final transient RequestChecks checks;
    private final transient LegacySessions sessions;
    private final transient ScheduledThreadPoolExecutor timers;
    private final long keepAliveMs;
    private final boolean closeMcpServer;
    private final transient Set<Call> calls = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private McpServlet(Builder b) {
        this.mcp = b.mcp;
        RequestChecks.Builder cb = RequestChecks.builder().allowedHosts(b.allowedHosts).allowedOrigins(b.allowedOrigins)
                .maxRequestBytes(b.maxRequestBytes > 0 ? b.maxRequestBytes : Math.max(1024, mcp.maxMessageBytes()));
        if (b.validator != null) {
            cb.tokenValidator(b.validator);
        }
        this.checks = cb.build();
        this.sessions = new LegacySessions(b.maxSessions, b.maxSessionsPerClient, b.sessionIdleTimeout.toMillis(),
                b.unusedSessionTimeout.toMillis());
        this.keepAliveMs = b.keepAlive.toMillis();
        this.closeMcpServer = b.closeMcpServer;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kami-mcp-servlet-timers");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true); // a keep-alive per running call, cancelled when it ends
        long every = Math.max(100, Math.min(1000, b.unusedSessionTimeout.toMillis() / 4));
        timers.scheduleWithFixedDelay(sessions::expire, every, every, TimeUnit.MILLISECONDS);
    }

    /** @return a builder serving {@code mcp} */
    public static Builder builder(McpServer mcp) {
        return new Builder(mcp);
    }

    /** @return the number of open legacy sessions */
    public int sessionCount() {
        return sessions.size();
    }

    /** @return the MCP server behind this endpoint */
    public McpServer mcpServer() {
        return mcp;
    }

    /** Answers every running request with a shutting-down error, ends the sessions. Idempotent. */
    @Override
    public void destroy() {
        if (closed.compareAndSet(false, true)) {
            for (Call c : List.copyOf(calls)) {
                c.shutdown();
            }
            for (Session s : sessions.all()) {
                sessions.end(s);
            }
            timers.shutdownNow();
            if (closeMcpServer) {
                mcp.close();
            }
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
        Exchange ex = new Exchange(req, resp, timers);
        try {
            if (closed.get()) {
                sendJson(ex, 503, errorJson(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN));
                return;
            }
            if (refused(ex, checks.checkAccess(req::getHeader))) {
                return;
            }
            switch (req.getMethod()) {
                case "POST" -> post(ex, req);
                case "GET" -> get(ex);
                case "DELETE" -> delete(ex);
                default -> {
                    ex.setHeader("Allow", "GET, POST, DELETE");
                    sendText(ex, 405, "method not allowed");
                }
            }
        } catch (RuntimeException e) {
            LOG.error("MCP request failed", e);
            sendJson(ex, 500, errorJson(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
        }
    }

    private static boolean refused(Exchange ex, RequestChecks.Refusal r) {
        if (r == null) {
            return false;
        }
        r.headers().forEach(ex::setHeader);
        // the request body (if any) is left unread: the container may close the connection after
        // the answer, and a client reusing it would read nothing, so tell it to open a new one
        ex.setHeader("Connection", "close");
        ex.respond(r.status(), r.contentType(), r.body().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    // ---- POST -------------------------------------------------------------------------------

    private void post(Exchange ex, HttpServletRequest req) {
        if (refused(ex, checks.checkPost(ex::header, this::tooLarge))) {
            return;
        }
        byte[] body;
        try {
            body = readBody(req.getInputStream(), checks.maxRequestBytes());
        } catch (IOException e) {
            LOG.debug("request body not read: {}", e.toString());
            return; // the client is gone or too slow; the container answers or closes
        }
        if (body == null) {
            ex.setHeader("Connection", "close");
            sendJson(ex, 413, tooLarge(checks.maxRequestBytes() + 1L));
            return;
        }
        String accept = ex.header("Accept");
        boolean json = RequestChecks.acceptsJson(accept);
        boolean sse = RequestChecks.acceptsSse(accept);
        IncomingMessage m = mcp.parse(body);
        switch (m.kind()) {
            case INVALID -> {
                if (m.errorReply().isPresent()) {
                    sendJson(ex, 400, m.errorReply().json());
                } else {
                    sendText(ex, 400, "invalid notification");
                }
                return;
            }
            case RESPONSE -> {
                ex.respondEmpty(202);
                return;
            }
            default -> {
            }
        }
        if (m.isModern() || isModernHeader(ex.header(VERSION_HEADER)) && !"initialize".equals(m.method())) {
            postModern(ex, m, json, sse);
        } else {
            postLegacy(ex, m, json);
        }
    }

    /** The endpoint's limit, which may be lower than the MCP server's: the refusal names the one that applies. */
    private String tooLarge(long size) {
        int limit = Math.min(checks.maxRequestBytes(), mcp.maxMessageBytes());
        return errorJson(ErrorCodes.INVALID_REQUEST, "Invalid request: the message has " + size + " bytes (or more);"
                + " this endpoint accepts at most " + limit + "; send a smaller message");
    }

    /** @return the body, or null when it is larger than {@code max} */
    private static byte[] readBody(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static boolean isModernHeader(String v) {
        return v != null && v.compareTo(ProtocolVersions.V2026_07_28) >= 0;
    }

    private void postModern(Exchange ex, IncomingMessage m, boolean json, boolean sse) {
        String mismatch = m.isRequest() ? RequestChecks.headerMismatch(ex::header, m) : null;
        if (mismatch != null) {
            sendJson(ex, 400, errorJson(ErrorCodes.HEADER_MISMATCH, "Header mismatch: " + mismatch));
            return;
        }
        if (!m.isRequest()) {
            // 2026-07-28 defines no client notifications over HTTP (a closed stream cancels)
            ex.respondEmpty(202);
            return;
        }
        ex.startAsync();
        Call call = new Call(ex, m, json, true, sse);
        // Only an SSE response can carry notifications (subscriptions/listen); without one the
        // core refuses such requests.
        McpSession session = mcp.openSession(sse ? call::event : null, ex.clientAddress());
        call.session = session;
        if (!call.start()) {
            session.close();
            return;
        }
        session.handle(m).whenComplete(call::finish);
    }

    private void postLegacy(Exchange ex, IncomingMessage m, boolean json) {
        if ("initialize".equals(m.method()) && m.isRequest()) {
            initialize(ex, m, json);
            return;
        }
        String sid = ex.header(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, errorJson(ErrorCodes.INVALID_REQUEST, "Bad request: the " + SESSION_HEADER
                    + " header is required; call initialize first (or send 2026-07-28 requests with _meta and "
                    + VERSION_HEADER + ")"));
            return;
        }
        Session hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, errorJson(ErrorCodes.INVALID_REQUEST, "Session not found; it ended or expired, call"
                    + " initialize to start a new one"));
            return;
        }
        String version = ex.header(VERSION_HEADER);
        if (version != null && !mcp.supportedVersions().contains(version)) {
            sendJson(ex, 400, errorJson(ErrorCodes.INVALID_REQUEST, "Bad request: " + VERSION_HEADER + " '" + version
                    + "' is not supported; supported: " + mcp.supportedVersions()));
            return;
        }
        hs.lastSeen = System.currentTimeMillis();
        if (!m.isRequest()) {
            hs.session.handle(m);
            ex.respondEmpty(202);
            return;
        }
        hs.used = true;
        ex.startAsync();
        Call call = new Call(ex, m, json, false, false);
        call.session = hs.session;
        call.legacySession = hs;
        if (call.start()) {
            hs.session.handle(m).whenComplete(call::finish);
        }
    }

    private void initialize(Exchange ex, IncomingMessage m, boolean json) {
        Session hs = sessions.reserve(ex.clientAddress());
        if (hs == null) {
            ex.setHeader("Retry-After", String.valueOf(sessions.retryAfterSeconds()));
            sendJson(ex, 503, m.errorResponse(ErrorCodes.INTERNAL_ERROR, sessions.refusal(ex.clientAddress())).json());
            return;
        }
        hs.session = mcp.openSession(n -> {
            Exchange s = hs.stream();
            if (s != null && !s.streamWrite(frame(n))) {
                LOG.debug("session {}: notification not delivered, the stream closed", hs.id);
            }
        }, ex.clientAddress());
        CompletableFuture<McpReply> reply = hs.session.handle(m);
        if (!reply.isDone()) {
            ex.startAsync();
        }
        reply.whenComplete((r, failure) -> {
            String sid = null;
            if (failure == null && r.isPresent() && !r.isError() && !closed.get()) {
                sessions.register(hs);
                sid = hs.id;
            } else {
                sessions.end(hs);
            }
            respond(ex, m, r, failure, json, false, sid);
        });
    }

    /**
     * A request answered once its reply is ready: one JSON (or one-event SSE) response, or, for a
     * 2026-07-28 request that accepts SSE and runs past the keep-alive interval or sends a
     * notification, an SSE stream ending with the reply. Whoever ends it first wins: the reply,
     * the client going away (a modern call is cancelled), or {@link #destroy()}.
     */
    private final class Call {
        private final Exchange ex;
        private final IncomingMessage request;
        private final boolean json;
        private final boolean modern;
        private final boolean sse;
        volatile McpSession session;
        volatile Session legacySession;
        private boolean opened; // guarded by this
        private boolean done; // guarded by this
        private volatile ScheduledFuture<?> keepAlive;

        Call(Exchange ex, IncomingMessage request, boolean json, boolean modern, boolean sse) {
            this.ex = ex;
            this.request = request;
            this.json = json;
            this.modern = modern;
            this.sse = sse;
        }

        /** @return false when the servlet is closing (then the request is answered already) */
        boolean start() {
            calls.add(this);
            if (closed.get()) { // destroy() may have looked at the set already
                shutdown();
                return false;
            }
            if (modern) {
                ex.onClientClose(this::clientClosed);
                if (sse) {
                    keepAlive = timers.scheduleWithFixedDelay(this::tick, keepAliveMs, keepAliveMs, TimeUnit.MILLISECONDS);
                }
            }
            return true;
        }

        private void tick() {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (!opened) {
                    opened = true;
                    ex.beginStream();
                    return;
                }
            }
            ex.streamWrite(Exchange.COMMENT);
        }

        void event(String message) {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (!opened) {
                    opened = true;
                    ex.beginStream();
                }
                ex.streamWrite(frame(message)); // under the lock: after the head, in order
            }
        }

        /** The client is gone: for a 2026-07-28 request, the cancellation; no reply is sent for it. */
        private void clientClosed() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            LOG.debug("client closed the response stream; cancelling the request");
            stopKeepAlive();
            session.cancelAll();
            session.close();
            calls.remove(this);
        }

        /** Servlet shutdown: a listen stream completes with its subscription id; any other request gets an error. */
        void shutdown() {
            if (modern && "subscriptions/listen".equals(request.method()) && session != null) {
                session.endSubscriptions();
                return;
            }
            finish(request.errorResponse(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN), null);
            if (modern && session != null) {
                session.close(); // cancels the call
            }
        }

        void finish(McpReply reply, Throwable failure) {
            boolean streaming;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                streaming = opened;
                if (streaming) {
                    if (failure != null) {
                        LOG.error("MCP request failed", failure);
                    }
                    ex.endStream(failure == null && reply.isPresent() ? frame(reply.json()) : new byte[0]);
                }
            }
            stopKeepAlive();
            calls.remove(this);
            if (!streaming) {
                Session hs = legacySession;
                if (hs != null && failure == null && !reply.isPresent() && hs.ended) {
                    // the session was deleted or expired under the call: say so, with the request's id
                    sendJson(ex, 404, request.errorResponse(ErrorCodes.INTERNAL_ERROR, SESSION_ENDED).json());
                } else {
                    respond(ex, request, reply, failure, json, modern, null);
                }
            }
            if (modern) {
                session.close();
            }
        }

        private void stopKeepAlive() {
            ScheduledFuture<?> k = keepAlive;
            if (k != null) {
                k.cancel(false);
            }
        }
    }

    private void respond(Exchange ex, IncomingMessage request, McpReply reply, Throwable failure, boolean json,
            boolean modern, String sid) {
        if (failure != null) {
            LOG.error("MCP request failed", failure);
            sendJson(ex, 500, errorJson(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
            return;
        }
        if (!reply.isPresent()) {
            // a cancelled request: a POST that carried a request is still answered with JSON
            reply = request.errorResponse(ErrorCodes.INTERNAL_ERROR, CANCELLED);
        }
        int status = reply.isError() ? statusOf(reply.errorCode(), modern) : 200;
        if (sid != null) {
            ex.setHeader(SESSION_HEADER, sid);
        }
        if (json) {
            sendJson(ex, status, reply.json());
        } else {
            ex.setHeader("Cache-Control", "no-cache").setHeader("X-Accel-Buffering", "no");
            ex.respond(status, "text/event-stream;charset=UTF-8", frame(reply.json()));
        }
    }

    private static int statusOf(int code, boolean modern) {
        switch (code) {
            case ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST:
                return 400;
            case ErrorCodes.METHOD_NOT_FOUND:
                return modern ? 404 : 200;
            case ErrorCodes.INVALID_PARAMS, ErrorCodes.HEADER_MISMATCH, ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY,
                    ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION:
                return modern ? 400 : 200;
            case ErrorCodes.INTERNAL_ERROR:
                return modern ? 500 : 200;
            default:
                return 200;
        }
    }

    // ---- GET and DELETE ---------------------------------------------------------------------

    private void get(Exchange ex) {
        String sid = ex.header(SESSION_HEADER);
        String accept = ex.header("Accept");
        if (sid == null || accept == null || !accept.contains("text/event-stream")) {
            // Modern clients have no GET stream; legacy ones need a session and must accept SSE.
            ex.setHeader("Allow", "POST, DELETE");
            sendText(ex, 405, "GET opens a legacy session's SSE stream: send " + SESSION_HEADER
                    + " and Accept: text/event-stream");
            return;
        }
        Session hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, errorJson(ErrorCodes.INVALID_REQUEST, "Session not found; call initialize"));
            return;
        }
        synchronized (hs) {
            if (hs.stream != null || hs.ended) {
                ex.setHeader("Allow", "POST, DELETE");
                sendText(ex, 405, "this session already has its SSE stream open; one per session");
                return;
            }
            hs.stream = ex;
            hs.used = true;
        }
        ex.startAsync();
        AtomicBoolean over = new AtomicBoolean();
        List<ScheduledFuture<?>> keepAlive = new ArrayList<>(1);
        Runnable done = () -> {
            if (over.compareAndSet(false, true)) {
                synchronized (hs) {
                    if (hs.stream == ex) {
                        hs.stream = null;
                    }
                }
                hs.lastSeen = System.currentTimeMillis();
                synchronized (keepAlive) {
                    keepAlive.forEach(k -> k.cancel(false));
                }
            }
        };
        ex.onClientClose(done);
        hs.streamEnded = done; // LegacySessions.end runs it after ending the stream
        if (!ex.beginStream() || hs.ended) {
            ex.endStream(new byte[0]);
            done.run();
            return;
        }
        synchronized (keepAlive) {
            keepAlive.add(timers.scheduleWithFixedDelay(() -> {
                hs.lastSeen = System.currentTimeMillis();
                if (hs.ended || !ex.streamWrite(Exchange.COMMENT)) {
                    ex.endStream(new byte[0]);
                    done.run();
                }
            }, SESSION_STREAM_KEEPALIVE_MS, SESSION_STREAM_KEEPALIVE_MS, TimeUnit.MILLISECONDS));
        }
        if (hs.ended) { // ended meanwhile: LegacySessions.end may have missed the stream
            ex.endStream(new byte[0]);
            done.run();
        }
    }

    private void delete(Exchange ex) {
        String sid = ex.header(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, errorJson(ErrorCodes.INVALID_REQUEST, "Bad request: DELETE needs the " + SESSION_HEADER
                    + " header of the session to end"));
            return;
        }
        Session hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, errorJson(ErrorCodes.INVALID_REQUEST, "Session not found"));
            return;
        }
        sessions.end(hs);
        ex.respondEmpty(204);
    }

    // ---- writing ----------------------------------------------------------------------------

    static byte[] frame(String json) {
        return ("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void sendJson(Exchange ex, int status, String json) {
        if (status == 503) {
            ex.setHeaderIfAbsent("Retry-After", "1"); // every 503 says when to retry
        }
        ex.respond(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(Exchange ex, int status, String text) {
        ex.respond(status, "text/plain;charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return a JSON-RPC error without an id */
    static String errorJson(int code, String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + code + ",\"message\":" + quote(message) + "}}";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Builds a {@link McpServlet}. Setters validate at once. Not thread-safe. */
    public static final class Builder {
        private final McpServer mcp;
        private final List<String> allowedOrigins = new ArrayList<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private TokenValidator validator;
        private int maxRequestBytes;
        private int maxSessions = 1024;
        private int maxSessionsPerClient = 64;
        private Duration sessionIdleTimeout = Duration.ofMinutes(30);
        private Duration unusedSessionTimeout = Duration.ofSeconds(10);
        private Duration keepAlive = Duration.ofMillis(500);
        private boolean closeMcpServer;

        private Builder(McpServer mcp) {
            this.mcp = Objects.requireNonNull(mcp, "mcp");
        }

        /** Origins allowed besides localhost ones, e.g. {@code https://app.example.com}; {@code *} allows any. */
        public Builder allowedOrigins(List<String> origins) {
            origins.forEach(o -> allowedOrigins.add(Objects.requireNonNull(o, "origin")));
            return this;
        }

        /**
         * Host names allowed in the {@code Host} header besides localhost ones; {@code *} allows
         * any. A service reached under its own name must list it here.
         */
        public Builder allowedHosts(List<String> hosts) {
            hosts.forEach(x -> allowedHosts.add(Objects.requireNonNull(x, "host")));
            return this;
        }

        /** Requires a bearer token accepted by this validator. */
        public Builder tokenValidator(TokenValidator v) {
            this.validator = Objects.requireNonNull(v, "validator");
            return this;
        }

        /** The largest request body (default: the MCP server's message limit); larger get 413. */
        public Builder maxRequestBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /** Legacy sessions open at once (default 1024); more get 503 with {@code Retry-After}. */
        public Builder maxSessions(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSessions must be positive, got " + n);
            }
            this.maxSessions = n;
            return this;
        }

        /** Legacy sessions one client address may hold (default 64); more get 503 with {@code Retry-After}. */
        public Builder maxSessionsPerClient(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSessionsPerClient must be positive, got " + n);
            }
            this.maxSessionsPerClient = n;
            return this;
        }

        /** A legacy session idle this long ends (default 30 min). */
        public Builder sessionIdleTimeout(Duration d) {
            this.sessionIdleTimeout = positive(d, "sessionIdleTimeout");
            return this;
        }

        /** A legacy session that makes no request this long after {@code initialize} ends (default 10 s). */
        public Builder unusedSessionTimeout(Duration d) {
            this.unusedSessionTimeout = positive(d, "unusedSessionTimeout");
            return this;
        }

        /**
         * How often an SSE comment is written while a 2026-07-28 request runs (default 500 ms): a
         * call still running after it is answered on an SSE stream, whose comments keep proxies
         * from closing it and find a client that has gone.
         */
        public Builder keepAlive(Duration d) {
            if (d.toMillis() < 10) {
                throw new IllegalArgumentException("keepAlive must be at least 10 ms, got " + d);
            }
            this.keepAlive = d;
            return this;
        }

        /** Whether {@link McpServlet#destroy()} also closes the MCP server (default false). */
        public Builder closeMcpServer(boolean b) {
            this.closeMcpServer = b;
            return this;
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        /** @return the servlet, to register with async support */
        public McpServlet build() {
            return new McpServlet(this);
        }
    }
}
