package dev.kami.mcp.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kami.mcp.protocol.ErrorCodes;
import dev.kami.mcp.protocol.IncomingMessage;
import dev.kami.mcp.protocol.McpReply;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import dev.kami.mcp.protocol.ProtocolVersions;
import dev.kami.spi.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * {@code GET /health} and {@code GET /health/ready}. Built on the JDK's
 * {@code com.sun.net.httpserver} (see ADR 0301).
 *
 * <pre>{@code
 * McpHttpServer http = McpHttpServer.builder(mcp).port(8080)
 *         .tokenValidator(TokenValidator.constant(secret)).start();
 * }</pre>
 *
 * <p>Binds 127.0.0.1 by default; checks {@code Host} and {@code Origin} against an allow-list
 * (localhost names by default) to stop DNS rebinding. Thread-safe.
 */
public final class McpHttpServer implements Server {
    private static final Logger LOG = LoggerFactory.getLogger(McpHttpServer.class);
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    private static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.UTF_8);

    static {
        // The JDK server writes headers and body in separate segments; without TCP_NODELAY, Nagle
        // plus the client's delayed ACK add ~40 ms to every response. Read once by the JDK when
        // its first server starts; an explicit setting by the host wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final McpServer mcp;
    private final String path;
    private final HttpServer http;
    /** Modern requests being answered on an SSE stream; ended with an error event at close. */
    private final Set<StreamedCall> streamedCalls = ConcurrentHashMap.newKeySet();
    /** Requests waiting for their one response; answered with an error at close. */
    private final Set<PendingReply> pendingReplies = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor executor;
    /** Answers 503 to exchanges the full {@link #executor} refused (see {@link OverloadThread}). */
    private final ThreadPoolExecutor overload;
    private final Executor responder;
    private final ScheduledExecutorService sweeper;
    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;
    private final boolean anyHost;
    private final TokenValidator validator;
    private final int maxRequestBytes;
    private final int maxSessions;
    private final int maxStreams;
    private final long idleTimeoutMs;
    private final long keepAliveMs;
    private final boolean closeMcpServer;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** A legacy session: its protocol state, when it was last used, and its SSE stream's queue. */
    private static final class HttpSession {
        final String id;
        volatile McpSession session;
        volatile long lastSeen = System.currentTimeMillis();
        final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
        final AtomicBoolean streaming = new AtomicBoolean();
        volatile boolean ended;

        HttpSession(String id) {
            this.id = id;
        }
    }

    private McpHttpServer(Builder b) throws IOException {
        this.mcp = b.mcp;
        this.path = b.path;
        this.validator = b.validator;
        this.maxRequestBytes = b.maxRequestBytes > 0 ? b.maxRequestBytes : mcp.maxMessageBytes();
        this.maxSessions = b.maxSessions;
        this.idleTimeoutMs = b.sessionIdleTimeout.toMillis();
        this.keepAliveMs = b.keepAlive.toMillis();
        this.closeMcpServer = b.closeMcpServer;
        this.maxStreams = Math.max(1, b.threads / 2);
        java.util.HashSet<String> hosts = new java.util.HashSet<>(LOCAL_HOSTS);
        boolean any = false;
        for (String h : b.allowedHosts) {
            if (h.equals("*")) {
                any = true;
            }
            hosts.add(h.toLowerCase(Locale.ROOT));
        }
        if (!b.bind.equals("0.0.0.0") && !b.bind.equals("::")) {
            hosts.add(b.bind.toLowerCase(Locale.ROOT));
        }
        this.anyHost = any;
        this.allowedHosts = Set.copyOf(hosts);
        java.util.HashSet<String> origins = new java.util.HashSet<>();
        for (String o : b.allowedOrigins) {
            origins.add(stripSlash(o.toLowerCase(Locale.ROOT)));
        }
        this.allowedOrigins = Set.copyOf(origins);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.queueCapacity), r -> {
                    Thread t = new Thread(r, "kami-mcp-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
        this.responder = r -> {
            try {
                executor.execute(r);
            } catch (RejectedExecutionException e) {
                r.run();
            }
        };
        this.overload = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(OVERLOAD_QUEUE),
                OverloadThread::new);
        this.overload.allowCoreThreadTimeOut(true);
        this.http = HttpServer.create(new InetSocketAddress(b.bind, b.port), 128);
        // the JDK server closes the connection of an exchange its executor refuses; send it to the
        // overload thread instead, which answers 503 at once, so a client learns to retry
        http.setExecutor(r -> {
            try {
                executor.execute(r);
            } catch (RejectedExecutionException full) {
                if (closed.get()) {
                    throw full;
                }
                overload.execute(r);
            }
        });
        http.createContext(path, this::handleMcp);
        http.createContext("/health", this::handleHealth);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kami-mcp-http-sessions");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1000, Math.min(60_000, idleTimeoutMs / 4));
        sweeper.scheduleWithFixedDelay(this::expireSessions, every, every, TimeUnit.MILLISECONDS);
        http.start();
        boolean loopback = LOCAL_HOSTS.contains(b.bind.toLowerCase(Locale.ROOT));
        if (!loopback && validator == null) {
            LOG.warn("MCP HTTP server bound to {} without a bearer token validator: anyone who can reach it can call"
                    + " the tools; set the 'token' option or a TokenValidator", b.bind);
        }
        if (!loopback && b.allowedHosts.isEmpty()) {
            LOG.warn("MCP HTTP server bound to {} accepts only Host headers naming localhost or {}; add the names"
                    + " clients use with allowedHosts", b.bind, b.bind);
        }
    }

    /** @return a builder serving {@code mcp} */
    public static Builder builder(McpServer mcp) {
        return new Builder(mcp);
    }

    /** @return the bound port (useful with port 0) */
    public int port() {
        return http.getAddress().getPort();
    }

    /** @return the MCP endpoint, e.g. {@code http://127.0.0.1:8080/mcp} */
    @Override
    public String address() {
        InetSocketAddress a = http.getAddress();
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
            for (HttpSession s : List.copyOf(sessions.values())) {
                endSession(s);
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
            http.stop(0);
            sweeper.shutdownNow();
            executor.shutdownNow();
            overload.shutdownNow();
            if (closeMcpServer) {
                mcp.close();
            }
            terminated.countDown();
        }
    }

    // ---- dispatch ---------------------------------------------------------------------------

    /**
     * The thread that answers exchanges refused by the full request pool: it only reads their
     * headers (the JDK server does, before any handler) and answers 503 with {@code Retry-After}.
     */
    private static final class OverloadThread extends Thread {
        OverloadThread(Runnable r) {
            super(r, "kami-mcp-http-overload");
            setDaemon(true);
        }
    }

    static final String SHUTTING_DOWN = "The server is shutting down: this request was cancelled before it finished;"
            + " retry it (on another node, or once the server is back)";

    static final String CANCELLED = "Request cancelled: the client cancelled it (notifications/cancelled); no result"
            + " follows";

    static final String SESSION_ENDED = "Session ended while this request ran (deleted, expired or the server stopped):"
            + " the request was cancelled; call initialize to start a new session and retry";

    /** How long {@link #close()} waits for open streams to end before it closes the sockets. */
    private static final long STREAM_END_WAIT_MS = 2000;

    /** Exchanges waiting for the overload thread; beyond this the JDK server closes the connection. */
    private static final int OVERLOAD_QUEUE = 256;

    private void refuseOverloaded(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Retry-After", "1");
        sendJson(ex, 503, error(ErrorCodes.INTERNAL_ERROR, "The server is overloaded: its " + executor.getMaximumPoolSize()
                + " request threads are busy and " + executor.getQueue().size() + " requests are waiting; retry in"
                + " a second, or raise the transport's threads/queueCapacity options"));
    }

    private void handleMcp(HttpExchange ex) {
        try {
            if (Thread.currentThread() instanceof OverloadThread) {
                refuseOverloaded(ex);
                return;
            }
            if (!ex.getRequestURI().getPath().equals(path)) {
                sendText(ex, 404, "not found");
                return;
            }
            if (!hostAllowed(ex.getRequestHeaders()) || !originAllowed(ex.getRequestHeaders())) {
                sendJson(ex, 403, error(ErrorCodes.INVALID_REQUEST, "Forbidden: Host or Origin is not allowed"));
                return;
            }
            if (!authorized(ex)) {
                return;
            }
            switch (ex.getRequestMethod()) {
                case "POST" -> post(ex);
                case "GET" -> get(ex);
                case "DELETE" -> delete(ex);
                default -> {
                    ex.getResponseHeaders().set("Allow", "GET, POST, DELETE");
                    sendText(ex, 405, "method not allowed");
                }
            }
        } catch (IOException e) {
            LOG.debug("MCP HTTP exchange failed: {}", e.toString());
            ex.close();
        } catch (RuntimeException e) {
            LOG.error("MCP HTTP request failed", e);
            try {
                sendJson(ex, 500, error(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
            } catch (IOException | RuntimeException ignored) {
                ex.close();
            }
        }
    }

    private boolean hostAllowed(Headers h) {
        if (anyHost) {
            return true;
        }
        String host = h.getFirst("Host");
        if (host == null) {
            return false;
        }
        return allowedHosts.contains(hostName(host.trim().toLowerCase(Locale.ROOT)));
    }

    private static String hostName(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(0, end + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    private boolean originAllowed(Headers h) {
        String origin = h.getFirst("Origin");
        if (origin == null) {
            return true;
        }
        String o = stripSlash(origin.trim().toLowerCase(Locale.ROOT));
        if (allowedOrigins.contains("*") || allowedOrigins.contains(o)) {
            return true;
        }
        try {
            URI u = URI.create(o);
            String host = u.getHost();
            return host != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && LOCAL_HOSTS.contains(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (validator == null) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String challenge = "Bearer realm=\"kami-mcp\"";
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge);
            sendJson(ex, 401, error(ErrorCodes.INVALID_REQUEST, "Unauthorized: send Authorization: Bearer <token>"));
            return false;
        }
        boolean ok;
        try {
            ok = validator.isValid(auth.substring(7).trim());
        } catch (RuntimeException e) {
            LOG.warn("token validator failed: {}", e.toString());
            ok = false;
        }
        if (!ok) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge + ", error=\"invalid_token\"");
            sendJson(ex, 401, error(ErrorCodes.INVALID_REQUEST, "Unauthorized: the bearer token is not valid"));
        }
        return ok;
    }

    // ---- POST -------------------------------------------------------------------------------

    private void post(HttpExchange ex) throws IOException {
        Headers h = ex.getRequestHeaders();
        String length = h.getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                sendText(ex, 400, "bad Content-Length");
                return;
            }
            if (declared > maxRequestBytes) {
                refuseTooLarge(ex, declared);
                return;
            }
        }
        String type = h.getFirst("Content-Type");
        if (type != null && !type.toLowerCase(Locale.ROOT).contains("application/json")) {
            sendJson(ex, 415, error(ErrorCodes.INVALID_REQUEST, "Unsupported media type '" + type
                    + "'; POST a JSON-RPC message as application/json"));
            return;
        }
        String accept = h.getFirst("Accept");
        boolean json = accept == null || accept.contains("application/json") || accept.contains("*/*");
        boolean sse = accept != null && accept.contains("text/event-stream");
        if (!json && !sse) {
            sendJson(ex, 406, error(ErrorCodes.INVALID_REQUEST,
                    "Not acceptable: Accept must list application/json and/or text/event-stream"));
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(maxRequestBytes + 1);
        }
        if (body.length > maxRequestBytes) {
            refuseTooLarge(ex, body.length);
            return;
        }
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
                sendEmpty(ex, 202);
                return;
            }
            default -> {
            }
        }
        if (m.isModern() || isModernHeader(h.getFirst(VERSION_HEADER)) && !"initialize".equals(m.method())) {
            postModern(ex, m, json, sse);
        } else {
            postLegacy(ex, m, json);
        }
    }

    private static boolean isModernHeader(String v) {
        return v != null && v.compareTo(ProtocolVersions.V2026_07_28) >= 0;
    }

    private void postModern(HttpExchange ex, IncomingMessage m, boolean json, boolean sse) throws IOException {
        Headers h = ex.getRequestHeaders();
        if (m.isRequest()) {
            String mismatch = headerMismatch(h, m);
            if (mismatch != null) {
                sendJson(ex, 400, error(ErrorCodes.HEADER_MISMATCH, "Header mismatch: " + mismatch));
                return;
            }
        }
        if (!m.isRequest()) {
            // 2026-07-28 defines no client notifications over HTTP (a closed stream cancels);
            // accept and drop them as the transport page says.
            sendEmpty(ex, 202);
            return;
        }
        StreamedCall streamed = new StreamedCall(ex, m);
        // Only an SSE response can carry notifications (subscriptions/listen); without one the
        // core refuses such requests.
        McpSession session = mcp.openSession(sse ? streamed::event : null);
        streamed.session = session;
        CompletableFuture<McpReply> reply = session.handle(m);
        if (reply.isDone() || !sse) {
            PendingReply pending = new PendingReply(ex, m, json, true);
            reply.whenCompleteAsync((r, failure) -> {
                session.close();
                if (pending.claim()) {
                    respond(ex, m, r, failure, json, true, null);
                }
            }, responder);
            return;
        }
        // Still running (a tool call, a subscription): answer on an SSE stream so that the client
        // closing it (the 2026-07-28 cancellation signal) is noticed by the keep-alive writes.
        streamed.open();
        reply.whenCompleteAsync(streamed::finish, responder);
    }

    /**
     * A modern request answered on an SSE stream while it runs: notifications for it (a
     * subscription's) are events on the stream, buffered until the stream opens; a failed write
     * means the client closed the stream, which cancels the request.
     */
    private final class StreamedCall {
        private final HttpExchange ex;
        private final IncomingMessage request;
        volatile McpSession session;
        private OutputStream out; // guarded by this
        private final List<String> early = new ArrayList<>(); // guarded by this
        private boolean done; // guarded by this
        private volatile ScheduledFuture<?> keepAlive;

        StreamedCall(HttpExchange ex, IncomingMessage request) {
            this.ex = ex;
            this.request = request;
        }

        void open() throws IOException {
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
            Headers h = ex.getResponseHeaders();
            h.set("Content-Type", "text/event-stream");
            h.set("Cache-Control", "no-cache");
            h.set("X-Accel-Buffering", "no");
            synchronized (this) {
                ex.sendResponseHeaders(200, 0);
                out = ex.getResponseBody();
                out.write(COMMENT);
                for (String e : early) {
                    out.write(frame(e));
                }
                early.clear();
                out.flush();
            }
            keepAlive = sweeper.scheduleWithFixedDelay(() -> write(COMMENT), keepAliveMs, keepAliveMs, TimeUnit.MILLISECONDS);
        }

        void event(String json) {
            synchronized (this) {
                if (out == null) {
                    if (early.size() < 256) {
                        early.add(json);
                    }
                    return;
                }
            }
            write(frame(json));
        }

        private byte[] frame(String json) {
            return ("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        }

        private void write(byte[] bytes) {
            synchronized (this) {
                if (done) {
                    return;
                }
                try {
                    out.write(bytes);
                    out.flush();
                    return;
                } catch (IOException e) {
                    done = true;
                    LOG.debug("client closed the response stream; cancelling the request: {}", e.toString());
                }
            }
            ScheduledFuture<?> k = keepAlive;
            if (k != null) {
                k.cancel(false);
            }
            session.cancelAll(); // a closed stream cancels: no reply is sent for it
            session.close();
            streamedCalls.remove(this);
            ex.close();
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
            end(request.errorResponse(ErrorCodes.INTERNAL_ERROR, SHUTTING_DOWN).json());
        }

        void finish(McpReply reply, Throwable failure) {
            if (failure != null) {
                LOG.error("MCP request failed", failure);
            }
            end(failure == null && reply.isPresent() ? reply.json() : null);
        }

        /** Writes the last event (if any), ends the stream and the session; once. */
        private void end(String lastEvent) {
            ScheduledFuture<?> k = keepAlive;
            if (k != null) {
                k.cancel(false);
            }
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                try {
                    if (lastEvent != null) {
                        out.write(frame(lastEvent));
                    }
                    out.close();
                } catch (IOException e) {
                    LOG.debug("could not send the last event of an MCP response stream: {}", e.toString());
                } finally {
                    ex.close();
                }
            }
            session.close();
            streamedCalls.remove(this);
        }
    }

    private static String headerMismatch(Headers h, IncomingMessage m) {
        String version = h.getFirst(VERSION_HEADER);
        if (version == null) {
            return "the " + VERSION_HEADER + " header is required";
        }
        String bodyVersion = m.protocolVersion();
        if (bodyVersion != null && !bodyVersion.equals(version)) {
            return VERSION_HEADER + " header value '" + version + "' does not match body value '" + bodyVersion + "'";
        }
        String method = h.getFirst("Mcp-Method");
        if (method == null) {
            return "the Mcp-Method header is required";
        }
        if (!method.equals(m.method())) {
            return "Mcp-Method header value '" + method + "' does not match body value '" + m.method() + "'";
        }
        if ("tools/call".equals(m.method()) || "resources/read".equals(m.method()) || "prompts/get".equals(m.method())) {
            String name = h.getFirst("Mcp-Name");
            if (name == null) {
                return "the Mcp-Name header is required for " + m.method();
            }
            String decoded = decodeHeaderValue(name);
            if (decoded == null) {
                return "the Mcp-Name header is not valid base64 sentinel encoding";
            }
            if (!decoded.equals(m.name())) {
                return "Mcp-Name header value '" + decoded + "' does not match body value '" + m.name() + "'";
            }
        }
        return null;
    }

    static String decodeHeaderValue(String v) {
        if (v.startsWith("=?base64?") && v.endsWith("?=") && v.length() >= 11) {
            try {
                return new String(Base64.getDecoder().decode(v.substring(9, v.length() - 2)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return v;
    }

    private void postLegacy(HttpExchange ex, IncomingMessage m, boolean json) throws IOException {
        Headers h = ex.getRequestHeaders();
        if ("initialize".equals(m.method()) && m.isRequest()) {
            if (sessions.size() >= maxSessions) {
                sendJson(ex, 503, error(ErrorCodes.INTERNAL_ERROR, "Too many sessions (" + maxSessions
                        + "); retry later"));
                return;
            }
            HttpSession hs = new HttpSession(newSessionId());
            hs.session = mcp.openSession(n -> {
                if (hs.streaming.get() && !hs.events.offer(n)) {
                    LOG.debug("session {}: notification dropped, stream queue full", hs.id);
                }
            });
            hs.session.handle(m).whenCompleteAsync((reply, failure) -> {
                String sid = null;
                if (failure == null && reply.isPresent() && !reply.isError() && !closed.get()) {
                    sessions.put(hs.id, hs);
                    sid = hs.id;
                } else {
                    hs.session.close();
                }
                respond(ex, m, reply, failure, json, false, sid);
            }, responder);
            return;
        }
        String sid = h.getFirst(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, error(ErrorCodes.INVALID_REQUEST, "Bad request: the " + SESSION_HEADER
                    + " header is required; call initialize first (or send 2026-07-28 requests with _meta and "
                    + VERSION_HEADER + ")"));
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, error(ErrorCodes.INVALID_REQUEST, "Session not found; it ended or expired,"
                    + " call initialize to start a new one"));
            return;
        }
        String version = h.getFirst(VERSION_HEADER);
        if (version != null && !mcp.supportedVersions().contains(version)) {
            sendJson(ex, 400, error(ErrorCodes.INVALID_REQUEST, "Bad request: " + VERSION_HEADER + " '"
                    + version + "' is not supported; supported: " + mcp.supportedVersions()));
            return;
        }
        hs.lastSeen = System.currentTimeMillis();
        if (!m.isRequest()) {
            hs.session.handle(m);
            sendEmpty(ex, 202);
            return;
        }
        PendingReply pending = new PendingReply(ex, m, json, false);
        hs.session.handle(m).whenCompleteAsync((reply, failure) -> {
            if (pending.claim()) {
                if (failure == null && !reply.isPresent() && hs.ended) {
                    // the session was deleted or expired under the call: say so, with the request's id
                    try {
                        sendJson(ex, 404, m.errorResponse(ErrorCodes.INTERNAL_ERROR, SESSION_ENDED).json());
                    } catch (IOException e) {
                        LOG.debug("could not send the MCP response: {}", e.toString());
                        ex.close();
                    }
                    return;
                }
                respond(ex, m, reply, failure, json, false, null);
            }
        }, responder);
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
        try {
            if (failure != null) {
                LOG.error("MCP request failed", failure);
                sendJson(ex, 500, error(ErrorCodes.INTERNAL_ERROR, "Internal error; see the server log"));
                return;
            }
            if (!reply.isPresent()) {
                // a cancelled request: the client will not use a result, but a POST that carried a
                // request is still answered with JSON (the transport allows no bodiless reply)
                reply = request.errorResponse(ErrorCodes.INTERNAL_ERROR, CANCELLED);
            }
            int status = 200;
            if (reply.isError()) {
                status = statusOf(reply.errorCode(), modern);
            }
            if (sid != null) {
                ex.getResponseHeaders().set(SESSION_HEADER, sid);
            }
            if (json) {
                sendJson(ex, status, reply.json());
            } else {
                sendSse(ex, status, reply.json());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the MCP response: {}", e.toString());
            ex.close();
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

    private void refuseTooLarge(HttpExchange ex, long size) throws IOException {
        ex.getResponseHeaders().set("Connection", "close");
        sendJson(ex, 413, mcp.tooLargeReply(size).json());
    }

    // ---- GET and DELETE ---------------------------------------------------------------------

    private void get(HttpExchange ex) throws IOException {
        Headers h = ex.getRequestHeaders();
        String sid = h.getFirst(SESSION_HEADER);
        String accept = h.getFirst("Accept");
        if (sid == null || accept == null || !accept.contains("text/event-stream")) {
            // Modern clients have no GET stream; legacy ones need a session and must accept SSE.
            ex.getResponseHeaders().set("Allow", "POST, DELETE");
            sendText(ex, 405, "GET opens a legacy session's SSE stream: send " + SESSION_HEADER
                    + " and Accept: text/event-stream");
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, error(ErrorCodes.INVALID_REQUEST, "Session not found; call initialize"));
            return;
        }
        if (openStreams.incrementAndGet() > maxStreams || !hs.streaming.compareAndSet(false, true)) {
            openStreams.decrementAndGet();
            ex.getResponseHeaders().set("Allow", "POST, DELETE");
            sendText(ex, 405, "no SSE stream available for this session now");
            return;
        }
        try {
            Headers out = ex.getResponseHeaders();
            out.set("Content-Type", "text/event-stream");
            out.set("Cache-Control", "no-cache");
            out.set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            OutputStream os = ex.getResponseBody();
            os.write(":\n\n".getBytes(StandardCharsets.UTF_8));
            os.flush();
            while (!hs.ended && !closed.get()) {
                String event = hs.events.poll(15, TimeUnit.SECONDS);
                hs.lastSeen = System.currentTimeMillis();
                if (event != null && event.isEmpty()) {
                    continue; // the wake-up offered by endSession
                }
                String frame = event == null ? ":\n\n" : "event: message\ndata: " + event + "\n\n";
                os.write(frame.getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debug("session {}: SSE stream closed: {}", sid, e.toString());
        } finally {
            hs.streaming.set(false);
            hs.events.clear();
            openStreams.decrementAndGet();
            ex.close();
        }
    }

    private void delete(HttpExchange ex) throws IOException {
        String sid = ex.getRequestHeaders().getFirst(SESSION_HEADER);
        if (sid == null) {
            sendJson(ex, 400, error(ErrorCodes.INVALID_REQUEST, "Bad request: DELETE needs the " + SESSION_HEADER
                    + " header of the session to end"));
            return;
        }
        HttpSession hs = sessions.get(sid);
        if (hs == null) {
            sendJson(ex, 404, error(ErrorCodes.INVALID_REQUEST, "Session not found"));
            return;
        }
        endSession(hs);
        sendEmpty(ex, 204);
    }

    private void endSession(HttpSession hs) {
        sessions.remove(hs.id, hs);
        hs.ended = true;
        hs.session.close();
        hs.events.offer(""); // wakes a waiting stream (an empty event is never written: ended is set)
    }

    private void expireSessions() {
        long now = System.currentTimeMillis();
        for (HttpSession s : List.copyOf(sessions.values())) {
            if (!s.streaming.get() && s.session.inFlightCount() == 0 && now - s.lastSeen > idleTimeoutMs) {
                LOG.debug("session {} expired after {} ms idle", s.id, idleTimeoutMs);
                endSession(s);
            }
        }
    }

    private static String newSessionId() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // ---- health -----------------------------------------------------------------------------

    private void handleHealth(HttpExchange ex) {
        try {
            String p = ex.getRequestURI().getPath();
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET");
                sendText(ex, 405, "method not allowed");
            } else if (p.equals("/health")) {
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
                sendJson(ex, ready ? 200 : 503, ready ? "{\"status\":\"ready\",\"tools\":" + tools + "}"
                        : "{\"status\":\"not ready\"}");
            } else {
                sendText(ex, 404, "not found");
            }
        } catch (IOException e) {
            ex.close();
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    private static String error(int code, String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + code + ",\"message\":" + quote(message) + "}}";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
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

    private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendSse(HttpExchange ex, int status, String json) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        send(ex, status, "text/event-stream", ("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
        ex.close();
    }

    private static void sendEmpty(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
        ex.close();
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
        private Duration sessionIdleTimeout = Duration.ofMinutes(30);
        private boolean closeMcpServer;
        private Duration keepAlive = Duration.ofMillis(500);

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

        /** HTTP worker threads (default 16); half of them at most hold SSE streams. */
        public Builder threads(int n) {
            if (n < 2 || n > 1024) {
                throw new IllegalArgumentException("threads must be in [2, 1024], got " + n);
            }
            this.threads = n;
            return this;
        }

        /** Requests that may wait for a thread (default 1024); beyond it connections are refused. */
        public Builder queueCapacity(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("queueCapacity must be in [1, 1000000], got " + n);
            }
            this.queueCapacity = n;
            return this;
        }

        /** Legacy sessions open at once (default 1024); more get 503. */
        public Builder maxSessions(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxSessions must be positive, got " + n);
            }
            this.maxSessions = n;
            return this;
        }

        /** A legacy session idle this long ends (default 30 min). */
        public Builder sessionIdleTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("sessionIdleTimeout must be positive, got " + d);
            }
            this.sessionIdleTimeout = d;
            return this;
        }

        /**
         * How often an SSE comment is written while a modern request runs (default 500 ms); a
         * failed write means the client closed the stream, which cancels the request.
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
