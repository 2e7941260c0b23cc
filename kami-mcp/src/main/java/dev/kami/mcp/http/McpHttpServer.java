package dev.kami.mcp.http;

import static dev.kami.mcp.http.RequestChecks.SESSION_HEADER;
import static dev.kami.mcp.http.RequestChecks.VERSION_HEADER;

import dev.kami.mcp.http.SessionRegistry.HttpSession;
import dev.kami.mcp.protocol.ErrorCodes;
import dev.kami.mcp.protocol.IncomingMessage;
import dev.kami.mcp.protocol.McpReply;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import dev.kami.mcp.protocol.ProtocolVersions;
import dev.kami.spi.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MCP Streamable HTTP on one endpoint ({@code /mcp}), both eras: legacy sessions
 * ({@code Mcp-Session-Id} minted at {@code initialize}, GET for a list-changed SSE stream, DELETE
 * to end) and stateless 2026-07-28 requests (header checks against the body). Also
 * {@code GET /health} and {@code GET /health/ready}.
 *
 * <pre>{@code
 * McpHttpServer http = McpHttpServer.builder(mcp).port(8080)
 *         .tokenValidator(TokenValidator.constant(secret)).start();
 * }</pre>
 *
 * <p>Its parts: an HTTP/1.1 front that reads each request whole under time, size and
 * per-client bounds before any thread sees it (ADR 0306), the {@link RequestChecks} (Host,
 * Origin, bearer, sizes), the legacy {@link SessionRegistry session registry}, and
 * {@link SseStream SSE streams}. Binds 127.0.0.1 by default; checks {@code Host} and
 * {@code Origin} against an allow-list (localhost names by default) to stop DNS rebinding.
 * Thread-safe.
 */
public final class McpHttpServer implements Server {
    private static final Logger LOG = LoggerFactory.getLogger(McpHttpServer.class);

    static final String SHUTTING_DOWN = "The server is shutting down: this request was cancelled before it finished;"
            + " retry it (on another node, or once the server is back)";

    static final String CANCELLED = "Request cancelled: the client cancelled it (notifications/cancelled); no result"
            + " follows";

    static final String SESSION_ENDED = "Session ended while this request ran (deleted, expired or the server stopped):"
            + " the request was cancelled; call initialize to start a new session and retry";

    /** How long {@link #close()} waits for open streams to end before it closes the sockets. */
    private static final long STREAM_END_WAIT_MS = 2000;
    /** How often a legacy GET stream gets a keep-alive comment. */
    private static final long SESSION_STREAM_KEEPALIVE_MS = 15_000;

    private final McpServer mcp;
    private final String path;
    private final RequestChecks checks;
    private final HttpFront front;
    private final SessionRegistry sessions;
    /** Modern requests being answered on an SSE stream; ended with an error event at close. */
    private final Set<StreamedCall> streamedCalls = ConcurrentHashMap.newKeySet();
    /** Requests waiting for their one response; answered with an error at close. */
    private final Set<PendingReply> pendingReplies = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor executor;
    private final ThreadPoolExecutor health;
    private final ScheduledExecutorService sweeper;
    private final long keepAliveMs;
    private final boolean closeMcpServer;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private McpHttpServer(Builder b) throws IOException {
        this.mcp = b.mcp;
        this.path = b.path;
        RequestChecks.Builder cb = RequestChecks.builder().allowedHosts(b.allowedHosts).allowedOrigins(b.allowedOrigins)
                .bind(b.bind).maxRequestBytes(b.maxRequestBytes > 0 ? b.maxRequestBytes : Math.max(1024,
                        mcp.maxMessageBytes()));
        if (b.validator != null) {
            cb.tokenValidator(b.validator);
        }
        this.checks = cb.build();
        this.sessions = new SessionRegistry(b.maxSessions, b.maxSessionsPerClient, b.sessionIdleTimeout.toMillis(),
                b.unusedSessionTimeout.toMillis());
        this.keepAliveMs = b.keepAlive.toMillis();
        this.closeMcpServer = b.closeMcpServer;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.queueCapacity), r -> daemon(r, "kami-mcp-http-" + n.incrementAndGet()));
        this.executor.allowCoreThreadTimeOut(true);
        // health has a thread of its own: it answers while every request thread is busy
        this.health = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                r -> daemon(r, "kami-mcp-http-health"));
        this.health.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "kami-mcp-http-timers"));
        timers.setRemoveOnCancelPolicy(true); // a keep-alive per running call, cancelled when it ends
        this.sweeper = timers;
        long every = Math.max(100, Math.min(1000, b.unusedSessionTimeout.toMillis() / 4));
        sweeper.scheduleWithFixedDelay(sessions::expire, every, every, TimeUnit.MILLISECONDS);
        HttpLimits limits = new HttpLimits(b.headTimeout, b.bodyTimeout, b.idleTimeout, b.writeTimeout, b.maxHeadBytes,
                checks.maxRequestBytes(), b.maxConnections, b.maxConnectionsPerClient, b.maxPendingOutputBytes,
                b.maxBufferedBodyBytes);
        try {
            this.front = new HttpFront(b.bind, b.port, limits, this::dispatch);
        } catch (IOException | RuntimeException e) {
            sweeper.shutdownNow();
            throw e;
        }
        boolean loopback = RequestChecks.LOCAL_HOSTS.contains(b.bind.toLowerCase(Locale.ROOT));
        if (!loopback && b.validator == null) {
            LOG.warn("MCP HTTP server bound to {} without a bearer token validator: anyone who can reach it can call"
                    + " the tools; set the 'token' option or a TokenValidator", b.bind);
        }
        if (!loopback && b.allowedHosts.isEmpty()) {
            LOG.warn("MCP HTTP server bound to {} accepts only Host headers naming localhost or {}; add the names"
                    + " clients use with allowedHosts", b.bind, b.bind);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** @return a builder serving {@code mcp} */
    public static Builder builder(McpServer mcp) {
        return new Builder(mcp);
    }

    /** @return the bound port (useful with port 0) */
    public int port() {
        return front.address().getPort();
    }

    /** @return the MCP endpoint, e.g. {@code http://127.0.0.1:8080/mcp} */
    @Override
    public String address() {
        InetSocketAddress a = front.address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + a.getPort() + path;
    }

    /** @return the number of open legacy sessions */
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops accepting requests, ends the sessions (cancelling their calls). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // answer every request and end every stream properly before the sockets go: a
            // request still running gets an error response saying why (first, so the cancelled
            // calls' own replies cannot win); legacy GET streams end when their session does
            for (PendingReply p : List.copyOf(pendingReplies)) {
                p.shutdown();
            }
            for (StreamedCall c : List.copyOf(streamedCalls)) {
                c.shutdown();
            }
            for (HttpSession s : sessions.all()) {
                sessions.end(s);
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STREAM_END_WAIT_MS);
            while ((openStreams.get() > 0 || !streamedCalls.isEmpty()) && System.nanoTime() - until < 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            front.close();
            sweeper.shutdownNow();
            executor.shutdownNow();
            health.shutdownNow();
            if (closeMcpServer) {
                mcp.close();
            }
            terminated.countDown();
        }
    }

    // ---- dispatch (on the front's thread: hand on at once) -----------------------------------

    private void dispatch(HttpExchange ex) {
        boolean isHealth = ex.path().equals("/health") || ex.path().startsWith("/health/");
        try {
            (isHealth ? health : executor).execute(() -> handle(ex, isHealth));
        } catch (RejectedExecutionException full) {
            ex.setHeader("Retry-After", "1");
            sendJson(ex, 503, RequestChecks.jsonError(ErrorCodes.INTERNAL_ERROR, closed.get() ? SHUTTING_DOWN
                    : "The server is overloaded: its " + executor.getMaximumPoolSize() + " request threads are busy and "
                            + executor.getQueue().size() + " requests are waiting; retry in a second, or raise the"
                            + " transport's threads/queueCapacity options"));
        }
    }

    private void handle(HttpExchange ex, boolean isHealth) {
        try {
            if (isHealth) {
                handleHealth(ex);
            } else {
                handleMcp(ex);
            }
        } catch (RuntimeException e) {
            LOG.error("MCP HTTP request failed", e);
            sendJson(ex, 500, RequestChecks.jsonError(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
        }
    }

    private void handleMcp(HttpExchange ex) {
        if (!ex.path().equals(path)) {
            String metadata = checks.resourceMetadata(ex.path());
            if (metadata == null) {
                sendText(ex, 404, "not found");
            } else if (!ex.method().equals("GET")) {
                ex.setHeader("Allow", "GET");
                sendText(ex, 405, "method not allowed");
            } else {
                // public by definition (RFC 9728): clients read it before they have a token
                ex.setHeader("Access-Control-Allow-Origin", "*");
                ex.setHeader("Cache-Control", "max-age=300");
                sendJson(ex, 200, metadata);
            }
            return;
        }
        RequestChecks.Access access = checks.authorize(ex::header);
        if (refused(ex, access.refusal())) {
            return;
        }
        switch (ex.method()) {
            case "POST" -> post(ex, access.grant());
            case "GET" -> get(ex);
            case "DELETE" -> delete(ex);
            default -> {
                ex.setHeader("Allow", "GET, POST, DELETE");
                sendText(ex, 405, "method not allowed");
            }
        }
    }

    private static boolean refused(HttpExchange ex, RequestChecks.Refusal r) {
        if (r == null) {
            return false;
        }
        r.headers().forEach(ex::setHeader);
        ex.respond(r.status(), r.contentType(), r.body().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    // ---- POST -------------------------------------------------------------------------------

    private void post(HttpExchange ex, TokenVerdict grant) {
        if (ex.tooLargeBody() >= 0) {
            sendJson(ex, 413, mcp.tooLargeReply(ex.tooLargeBody()).json());
            return;
        }
        if (refused(ex, checks.checkPost(ex::header, size -> mcp.tooLargeReply(size).json()))) {
            return;
        }
        String accept = ex.header("Accept");
        boolean json = RequestChecks.acceptsJson(accept);
        boolean sse = RequestChecks.acceptsSse(accept);
        IncomingMessage m = mcp.parse(ex.body());
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
        if (m.isRequest() && "tools/call".equals(m.method()) && refused(ex, checks.checkToolCall(grant, m.name()))) {
            return;
        }
        Predicate<String> visible = checks.toolFilter(grant);
        if (m.isModern() || isModernHeader(ex.header(VERSION_HEADER)) && !"initialize".equals(m.method())) {
            postModern(ex, m, json, sse, visible);
        } else {
            postLegacy(ex, m, json, visible);
        }
    }

    private static boolean isModernHeader(String v) {
        return v != null && v.compareTo(ProtocolVersions.V2026_07_28) >= 0;
    }

    private void postModern(HttpExchange ex, IncomingMessage m, boolean json, boolean sse, Predicate<String> visible) {
        if (m.isRequest()) {
            String mismatch = RequestChecks.headerMismatch(ex::header, m);
            if (mismatch != null) {
                sendJson(ex, 400, RequestChecks.jsonError(ErrorCodes.HEADER_MISMATCH, "Header mismatch: " + mismatch));
                return;
            }
        }
        if (!m.isRequest()) {
            // 2026-07-28 defines no client notifications over HTTP (a closed stream cancels);
            // accept and drop them as the transport page says.
            ex.respondEmpty(202);
            return;
        }
        StreamedCall streamed = new StreamedCall(ex, m, json);
        // Only an SSE response can carry notifications (subscriptions/listen); without one the
        // core refuses such requests.
        McpSession session = mcp.openSession(sse ? streamed::event : null, ex.clientAddress());
        session.toolFilter(visible);
        streamed.session = session;
        CompletableFuture<McpReply> reply = session.handle(m);
        if (reply.isDone() || !sse) {
            PendingReply pending = new PendingReply(ex, m, json, true);
            reply.whenComplete((r, failure) -> {
                session.close();
                if (pending.claim()) {
                    respond(ex, m, r, failure, json, true, null);
                }
            });
            return;
        }
        // Still running (a tool call, a subscription): the client closing the connection (the
        // 2026-07-28 cancellation signal) cancels the call as soon as the front sees it. A reply
        // within keepAlive goes as one plain response; past it, or with a notification to send,
        // the response becomes an SSE stream.
        streamed.start();
        reply.whenComplete(streamed::finish);
    }

    /**
     * A modern request that may be answered on an SSE stream while it runs: the stream opens at
     * its first notification (a subscription's) or keep-alive tick; a reply before either is sent
     * as one plain response. The client closing the connection cancels the request.
     */
    private final class StreamedCall {
        private final HttpExchange ex;
        private final IncomingMessage request;
        private final boolean json;
        private final SseStream stream;
        volatile McpSession session;
        /** Notifications sent before {@link #start} (a listen's acknowledgment): written then. */
        private final List<String> early = new ArrayList<>(); // guarded by this
        private boolean started; // guarded by this
        private boolean opened; // guarded by this
        private boolean done; // guarded by this
        private volatile ScheduledFuture<?> keepAlive;

        StreamedCall(HttpExchange ex, IncomingMessage request, boolean json) {
            this.ex = ex;
            this.request = request;
            this.json = json;
            this.stream = new SseStream(ex);
        }

        void start() {
            streamedCalls.add(this);
            if (closed.get()) { // close() may have looked at the set already
                synchronized (this) {
                    done = true; // the reply, when it comes, has nowhere to go
                }
                streamedCalls.remove(this);
                session.close(); // cancels the call
                sendJson(ex, 503, request.errorResponse(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN).json());
                return;
            }
            ex.onClientClose(this::clientClosed);
            // only now may the client see the stream: close() finds this call in streamedCalls
            synchronized (this) {
                started = true;
                if (!early.isEmpty() && !done) {
                    opened = true;
                    stream.open();
                    early.forEach(stream::event);
                }
                early.clear();
            }
            keepAlive = sweeper.scheduleWithFixedDelay(this::tick, keepAliveMs, keepAliveMs, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (!opened) {
                    opened = true;
                    stream.open();
                    return;
                }
            }
            stream.comment();
        }

        void event(String json) {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (!started) {
                    if (early.size() < 256) {
                        early.add(json);
                    }
                    return;
                }
                if (!opened) {
                    opened = true;
                    stream.open();
                }
                stream.event(json); // under the lock: after the head, in order
            }
        }

        /** The client closed the connection: the 2026-07-28 cancellation; no reply is sent for it. */
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
            streamedCalls.remove(this);
        }

        /**
         * Server shutdown. A {@code subscriptions/listen} stream ends as the protocol asks of a
         * stopping server: its request completes with a result carrying the subscription id
         * (written by {@link #finish}). Any other request still running is answered with an
         * error saying why, and its call is cancelled (by closing the session).
         */
        void shutdown() {
            if ("subscriptions/listen".equals(request.method())) {
                session.endSubscriptions();
                return;
            }
            end(request.errorResponse(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN), null);
        }

        void finish(McpReply reply, Throwable failure) {
            end(reply, failure);
        }

        private void stopKeepAlive() {
            ScheduledFuture<?> k = keepAlive;
            if (k != null) {
                k.cancel(false);
            }
        }

        /** Answers: the last event of the stream, or one plain response; ends the session; once. */
        private void end(McpReply reply, Throwable failure) {
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
                    stream.end(failure == null && reply.isPresent() ? reply.json() : null);
                }
            }
            stopKeepAlive();
            if (!streaming) {
                respond(ex, request, reply, failure, json, true, null);
            }
            session.close();
            streamedCalls.remove(this);
        }
    }

    private void postLegacy(HttpExchange ex, IncomingMessage m, boolean json, Predicate<String> visible) {
        if ("initialize".equals(m.method()) && m.isRequest()) {
            initialize(ex, m, json, visible);
            return;
        }
        String sid = ex.header(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Bad request: the " + SESSION_HEADER
                    + " header is required; call initialize first (or send 2026-07-28 requests with _meta and "
                    + VERSION_HEADER + ")"));
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Session not found; it ended or"
                    + " expired, call initialize to start a new one"));
            return;
        }
        String version = ex.header(VERSION_HEADER);
        if (version != null && !mcp.supportedVersions().contains(version)) {
            sendJson(ex, 400, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Bad request: " + VERSION_HEADER + " '"
                    + version + "' is not supported; supported: " + mcp.supportedVersions()));
            return;
        }
        hs.lastSeen = System.currentTimeMillis();
        if (!m.isRequest()) {
            hs.session.handle(m);
            ex.respondEmpty(202);
            return;
        }
        hs.used = true;
        hs.session.toolFilter(visible);
        PendingReply pending = new PendingReply(ex, m, json, false);
        hs.session.handle(m).whenComplete((reply, failure) -> {
            if (pending.claim()) {
                if (failure == null && !reply.isPresent() && hs.ended) {
                    // the session was deleted or expired under the call: say so, with the request's id
                    sendJson(ex, 404, m.errorResponse(ErrorCodes.INTERNAL_ERROR, SESSION_ENDED).json());
                    return;
                }
                respond(ex, m, reply, failure, json, false, null);
            }
        });
    }

    private void initialize(HttpExchange ex, IncomingMessage m, boolean json, Predicate<String> visible) {
        HttpSession hs = closed.get() ? null : sessions.reserve(ex.clientAddress());
        if (hs == null) {
            ex.setHeader("Retry-After", String.valueOf(sessions.retryAfterSeconds()));
            sendJson(ex, 503, m.errorResponse(ErrorCodes.INTERNAL_ERROR, closed.get() ? SHUTTING_DOWN
                    : sessions.refusal(ex.clientAddress())).json());
            return;
        }
        hs.session = mcp.openSession(n -> {
            SseStream s = hs.stream;
            if (s != null && !s.event(n)) {
                LOG.debug("session {}: notification not delivered, the stream closed", hs.id);
            }
        }, ex.clientAddress());
        hs.session.toolFilter(visible);
        hs.session.handle(m).whenComplete((reply, failure) -> {
            String sid = null;
            if (failure == null && reply.isPresent() && !reply.isError() && !closed.get()) {
                sessions.register(hs);
                sid = hs.id;
            } else {
                sessions.end(hs);
            }
            respond(ex, m, reply, failure, json, false, sid);
        });
    }

    /**
     * A request to be answered with one JSON (or one-event SSE) response once its reply is ready;
     * whoever {@link #claim claims} it first answers it: the reply, or {@link #close()} with a
     * shutting-down error.
     */
    private final class PendingReply {
        private final HttpExchange ex;
        private final IncomingMessage request;
        private final boolean json;
        private final boolean modern;
        private final AtomicBoolean answered = new AtomicBoolean();

        PendingReply(HttpExchange ex, IncomingMessage request, boolean json, boolean modern) {
            this.ex = ex;
            this.request = request;
            this.json = json;
            this.modern = modern;
            pendingReplies.add(this);
        }

        boolean claim() {
            pendingReplies.remove(this);
            return answered.compareAndSet(false, true);
        }

        void shutdown() {
            if (claim()) {
                respond(ex, request, request.errorResponse(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN), null, json, modern,
                        null);
            }
        }
    }

    private void respond(HttpExchange ex, IncomingMessage request, McpReply reply, Throwable failure, boolean json,
            boolean modern, String sid) {
        if (failure != null) {
            LOG.error("MCP request failed", failure);
            sendJson(ex, 500, RequestChecks.jsonError(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
            return;
        }
        if (!reply.isPresent()) {
            // a cancelled request: the client will not use a result, but a POST that carried a
            // request is still answered with JSON (the transport allows no bodiless reply)
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
            ex.respond(status, "text/event-stream", SseStream.frame(reply.json()));
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

    private void get(HttpExchange ex) {
        String sid = ex.header(SESSION_HEADER);
        String accept = ex.header("Accept");
        if (sid == null || accept == null || !accept.contains("text/event-stream")) {
            // Modern clients have no GET stream; legacy ones need a session and must accept SSE.
            ex.setHeader("Allow", "POST, DELETE");
            sendText(ex, 405, "GET opens a legacy session's SSE stream: send " + SESSION_HEADER
                    + " and Accept: text/event-stream");
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Session not found; call initialize"));
            return;
        }
        SseStream stream = new SseStream(ex);
        synchronized (hs) {
            if (hs.stream != null || hs.ended) {
                ex.setHeader("Allow", "POST, DELETE");
                sendText(ex, 405, "this session already has its SSE stream open; one per session");
                return;
            }
            hs.stream = stream;
            hs.used = true;
        }
        openStreams.incrementAndGet();
        AtomicBoolean over = new AtomicBoolean();
        ScheduledFuture<?>[] keepAlive = new ScheduledFuture<?>[1];
        Runnable done = () -> {
            if (over.compareAndSet(false, true)) {
                synchronized (hs) {
                    if (hs.stream == stream) {
                        hs.stream = null;
                    }
                }
                hs.lastSeen = System.currentTimeMillis();
                if (keepAlive[0] != null) {
                    keepAlive[0].cancel(false);
                }
                openStreams.decrementAndGet();
            }
        };
        ex.onClientClose(done);
        hs.streamEnded = done; // SessionRegistry.end runs it after ending the stream
        if (!stream.open() || hs.ended) {
            stream.end(null);
            done.run();
            return;
        }
        keepAlive[0] = sweeper.scheduleWithFixedDelay(() -> {
            hs.lastSeen = System.currentTimeMillis();
            if (hs.ended || !stream.comment()) {
                stream.end(null);
                done.run();
            }
        }, SESSION_STREAM_KEEPALIVE_MS, SESSION_STREAM_KEEPALIVE_MS, TimeUnit.MILLISECONDS);
        if (hs.ended) { // ended meanwhile: SessionRegistry.end may have missed the stream
            stream.end(null);
            done.run();
        }
    }

    private void delete(HttpExchange ex) {
        String sid = ex.header(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Bad request: DELETE needs the "
                    + SESSION_HEADER + " header of the session to end"));
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, RequestChecks.jsonError(ErrorCodes.INVALID_REQUEST, "Session not found"));
            return;
        }
        sessions.end(hs);
        ex.respondEmpty(204);
    }

    // ---- health -----------------------------------------------------------------------------

    private void handleHealth(HttpExchange ex) {
        String p = ex.path();
        if (!"GET".equals(ex.method())) {
            ex.setHeader("Allow", "GET");
            sendText(ex, 405, "method not allowed");
        } else if (p.equals("/health")) {
            if (closed.get()) {
                ex.setHeader("Retry-After", "1");
            }
            sendJson(ex, closed.get() ? 503 : 200, closed.get() ? "{\"status\":\"down\"}" : "{\"status\":\"up\"}");
        } else if (p.equals("/health/ready")) {
            boolean ready = false;
            int tools = 0;
            if (!closed.get() && !mcp.isClosed()) {
                try {
                    tools = mcp.kami().list().size();
                    ready = true;
                } catch (RuntimeException e) {
                    LOG.debug("readiness check failed: {}", e.toString());
                }
            }
            if (!ready) {
                sendJson(ex, 503, "{\"status\":\"not ready\"}");
            } else if (!mcp.admitsCalls()) {
                // every call slot is taken: a balancer should send new clients elsewhere for now
                sendJson(ex, 503, "{\"status\":\"busy\",\"callsRunning\":" + mcp.inFlightCalls()
                        + ",\"maxConcurrentCalls\":" + mcp.maxConcurrentCalls() + "}");
            } else {
                sendJson(ex, 200, "{\"status\":\"ready\",\"tools\":" + tools + "}");
            }
        } else {
            sendText(ex, 404, "not found");
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    private static void sendJson(HttpExchange ex, int status, String json) {
        if (status == 503) {
            ex.setHeaderIfAbsent("Retry-After", "1"); // every 503 says when to retry
        }
        ex.respond(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange ex, int status, String text) {
        ex.respond(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Builds and starts an {@link McpHttpServer}. Setters validate at once. Not thread-safe. */
    public static final class Builder {
        private final McpServer mcp;
        private String bind = "127.0.0.1";
        private int port = 0;
        private String path = "/mcp";
        private final List<String> allowedOrigins = new ArrayList<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private TokenValidator validator;
        private int maxRequestBytes;
        private int threads = 16;
        private int queueCapacity = 1024;
        private int maxSessions = 1024;
        private int maxSessionsPerClient = 64;
        private Duration sessionIdleTimeout = Duration.ofMinutes(30);
        private Duration unusedSessionTimeout = Duration.ofSeconds(10);
        private boolean closeMcpServer;
        private Duration keepAlive = Duration.ofMillis(500);
        private Duration headTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int maxHeadBytes = 16 * 1024;
        private int maxConnections = 4096;
        private int maxConnectionsPerClient = 256;
        private long maxPendingOutputBytes = 8L * 1024 * 1024;
        private long maxBufferedBodyBytes = 256L * 1024 * 1024;

        private Builder(McpServer mcp) {
            this.mcp = Objects.requireNonNull(mcp, "mcp");
        }

        /** The address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} exposes the server to the network). */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "bind");
            return this;
        }

        /** The port (default 0: an ephemeral port, see {@link McpHttpServer#port()}). */
        public Builder port(int p) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + p);
            }
            this.port = p;
            return this;
        }

        /** The endpoint path (default {@code /mcp}). */
        public Builder path(String p) {
            if (!p.startsWith("/") || p.startsWith("/health")) {
                throw new IllegalArgumentException("path must start with '/' and not be /health, got '" + p + "'");
            }
            this.path = p;
            return this;
        }

        /** Origins allowed besides localhost ones, e.g. {@code https://app.example.com}; {@code *} allows any. */
        public Builder allowedOrigins(List<String> origins) {
            origins.forEach(o -> allowedOrigins.add(Objects.requireNonNull(o, "origin")));
            return this;
        }

        /** Host names allowed in the {@code Host} header besides localhost ones; {@code *} allows any. */
        public Builder allowedHosts(List<String> hosts) {
            hosts.forEach(x -> allowedHosts.add(Objects.requireNonNull(x, "host")));
            return this;
        }

        /** Requires a bearer token accepted by this validator on {@code /mcp} (health stays open). */
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

        /**
         * Threads that handle requests once read (default 16): checks, parsing, handing calls to
         * KAMI's workers. They never wait for a client or a tool.
         */
        public Builder threads(int n) {
            if (n < 2 || n > 1024) {
                throw new IllegalArgumentException("threads must be in [2, 1024], got " + n);
            }
            this.threads = n;
            return this;
        }

        /** Requests read whole that may wait for a thread (default 1024); beyond it they get 503. */
        public Builder queueCapacity(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("queueCapacity must be in [1, 1000000], got " + n);
            }
            this.queueCapacity = n;
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

        /**
         * A legacy session that makes no request (and opens no stream) this long after
         * {@code initialize} ends (default 10 s): what a session flood leaves goes fast.
         */
        public Builder unusedSessionTimeout(Duration d) {
            this.unusedSessionTimeout = positive(d, "unusedSessionTimeout");
            return this;
        }

        /** Time to receive a request line and headers, from their first byte (default 10 s); then 408. */
        public Builder headTimeout(Duration d) {
            this.headTimeout = positive(d, "headTimeout");
            return this;
        }

        /** Time to receive a request body after its headers (default 30 s); then 408. */
        public Builder bodyTimeout(Duration d) {
            this.bodyTimeout = positive(d, "bodyTimeout");
            return this;
        }

        /** A connection waiting this long for its next request is closed (default 60 s). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive(d, "idleTimeout");
            return this;
        }

        /** A connection whose client reads none of its response this long is closed (default 30 s). */
        public Builder writeTimeout(Duration d) {
            this.writeTimeout = positive(d, "writeTimeout");
            return this;
        }

        /** The largest request line plus headers (default 16 KiB); larger get 431. */
        public Builder maxHeadBytes(int bytes) {
            if (bytes < 1024 || bytes > 1024 * 1024) {
                throw new IllegalArgumentException("maxHeadBytes must be in [1024, 1048576], got " + bytes);
            }
            this.maxHeadBytes = bytes;
            return this;
        }

        /**
         * Bytes of request bodies still arriving, over all connections (default 256 MiB): many slow
         * large bodies cannot fill the heap; a request that would pass it gets 503 and is closed.
         */
        public Builder maxBufferedBodyBytes(long bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("maxBufferedBodyBytes must be at least 65536, got " + bytes);
            }
            this.maxBufferedBodyBytes = bytes;
            return this;
        }

        /** Open connections in all (default 4096); more are answered 503 and closed. */
        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnections must be positive, got " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /** Open connections from one client address (default 256); more are answered 503 and closed. */
        public Builder maxConnectionsPerClient(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnectionsPerClient must be positive, got " + n);
            }
            this.maxConnectionsPerClient = n;
            return this;
        }

        /**
         * How often an SSE comment is written while a modern request runs (default 500 ms), so
         * that proxies keep the stream open. (A closed stream cancels the request at once.)
         */
        public Builder keepAlive(Duration d) {
            if (d.toMillis() < 10) {
                throw new IllegalArgumentException("keepAlive must be at least 10 ms, got " + d);
            }
            this.keepAlive = d;
            return this;
        }

        /** Whether {@link McpHttpServer#close()} also closes the MCP server (default false). */
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

        /**
         * @return the running server
         * @throws java.io.UncheckedIOException if the address cannot be bound
         */
        public McpHttpServer start() {
            try {
                return new McpHttpServer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
            }
        }
    }
}
