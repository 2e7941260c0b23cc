package dev.kami.mcp.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 front of {@link McpHttpServer} (ADR 0306): one selector thread accepts connections
 * and reads every request whole (line, headers, body) under size and time bounds before it hands
 * it on as an {@link HttpExchange}; a stalled or idle connection therefore costs no thread, and
 * is closed (408) when its bound passes. Connections are capped in all and per client address.
 * Responses are written by whichever thread has them, without blocking: what the socket does
 * not take at once is queued and written by the selector thread. A client that closes its
 * connection while its response is pending is noticed at once ({@link HttpExchange#onClientClose}).
 *
 * <p>Only what MCP needs: {@code Content-Length} and {@code chunked} request bodies,
 * {@code Expect: 100-continue}, keep-alive, fixed-length and chunked (streamed) responses. A
 * request with both {@code Content-Length} and {@code Transfer-Encoding}, a folded header or a
 * conflicting length is refused (400) and its connection closed, so no request smuggling.
 */
final class HttpFront implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    private static final int MAX_HEADERS = 100;
    private static final long SCAN_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Receives each request read whole, on the selector thread: it must hand long work on at once. */
    interface Dispatcher {
        void dispatch(HttpExchange exchange);
    }

    private final HttpLimits limits;
    private final Dispatcher dispatcher;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<InetAddress, Integer> perClient = new HashMap<>(); // selector thread only
    private final List<Connection> connections = new ArrayList<>(); // selector thread only
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    /** Bytes of request bodies read but not yet handed on, over all connections (selector thread only). */
    private long bufferedBodies;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;
    private long lastScan = System.nanoTime();

    HttpFront(String bind, int port, HttpLimits limits, Dispatcher dispatcher) throws IOException {
        this.limits = limits;
        this.dispatcher = dispatcher;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bind, port), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        this.thread = new Thread(this::run, "kami-mcp-http-front");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the bound address */
    InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Closes the listening socket and every connection; waits (briefly) for the selector thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a task on the selector thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    // ---- the selector thread -----------------------------------------------------------------

    private void run() {
        try {
            while (!closed) {
                selector.select(50);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        Connection c = (Connection) key.attachment();
                        try {
                            if (key.isWritable()) {
                                c.flushFromSelector();
                            }
                            if (key.isValid() && key.isReadable()) {
                                c.readFromSelector();
                            }
                        } catch (RuntimeException e) {
                            // one connection's fault never stops the front
                            LOG.error("MCP HTTP connection from {} failed; closing it", c.client.getHostAddress(), e);
                            c.clientClosed();
                        }
                    } catch (java.nio.channels.CancelledKeyException e) {
                        // closed meanwhile
                    } catch (IOException e) {
                        // e.g. out of file descriptors: refuse for now, keep serving the others
                        LOG.warn("MCP HTTP server cannot accept a connection: {}", e.toString());
                    }
                }
                long now = System.nanoTime();
                if (now - lastScan >= SCAN_EVERY_NANOS) {
                    lastScan = now;
                    for (Connection c : List.copyOf(connections)) {
                        c.checkDeadlines(now);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("MCP HTTP front stopped", e);
        } finally {
            for (Connection c : List.copyOf(connections)) {
                c.closeNow(true);
            }
            try {
                server.close();
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing the MCP HTTP listener: {}", e.toString());
            }
            stopped.countDown();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            InetAddress from = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int mine = perClient.getOrDefault(from, 0);
            String refusal = null;
            if (connections.size() >= limits.maxConnections()) {
                refusal = "Too many connections: the server holds its limit of " + limits.maxConnections()
                        + "; retry in a second";
            } else if (mine >= limits.maxConnectionsPerClient()) {
                refusal = "Too many connections from " + from.getHostAddress() + ": " + mine + " are open, the limit"
                        + " per client address is " + limits.maxConnectionsPerClient()
                        + "; reuse a keep-alive connection or close idle ones, then retry";
            }
            if (refusal != null) {
                // a fresh socket takes a small response whole; then the connection closes
                try (SocketChannel refused = ch) {
                    refused.write(ByteBuffer.wrap(HttpExchange.head(503, "application/json",
                            HttpExchange.jsonRpcError(refusal).length, Map.of("Retry-After", "1"), true)));
                    refused.write(ByteBuffer.wrap(HttpExchange.jsonRpcError(refusal)));
                } catch (IOException e) {
                    LOG.debug("refusing a connection: {}", e.toString());
                }
                LOG.debug("connection from {} refused: {}", from.getHostAddress(), refusal);
                continue;
            }
            perClient.merge(from, 1, Integer::sum);
            Connection c = new Connection(ch, from);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            connections.add(c);
        }
    }

    // ---- one connection ----------------------------------------------------------------------

    private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, HANDLING, CLOSED }

    /** A client connection: its input, parse state and output queue. Guarded by itself. */
    final class Connection {
        final SocketChannel channel;
        final InetAddress client;
        SelectionKey key;
        private byte[] in = new byte[4096];
        private int inStart;
        private int inEnd;
        private State state = State.HEAD;
        private long idleDeadline;
        private long headDeadline;
        private long bodyDeadline;
        private boolean http10;
        private boolean closeAfter;
        private String method;
        private String target;
        private Map<String, List<String>> headers;
        private long bodyLength;
        private long chunkLeft;
        private java.io.ByteArrayOutputStream body;
        private long tooLarge = -1;
        private HttpExchange exchange;
        private final java.util.ArrayDeque<ByteBuffer> out = new java.util.ArrayDeque<>();
        private long outBytes;
        private long writeStalledSince;
        private boolean readPaused;

        Connection(SocketChannel channel, InetAddress client) {
            this.channel = channel;
            this.client = client;
            this.idleDeadline = System.nanoTime() + limits.idleTimeout().toNanos();
        }

        // reading (selector thread)

        void readFromSelector() {
            int n;
            readBuffer.clear();
            try {
                n = channel.read(readBuffer);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                clientClosed();
                return;
            }
            readBuffer.flip();
            synchronized (this) {
                if (state == State.CLOSED) {
                    return;
                }
                append(readBuffer);
                if (state == State.HANDLING) {
                    if (inEnd - inStart > limits.maxHeadBytes()) {
                        pauseReading(); // a pipelined request waits for the response being written
                    }
                    return;
                }
                parse();
            }
        }

        private void append(ByteBuffer b) {
            int n = b.remaining();
            if (inEnd + n > in.length) {
                int live = inEnd - inStart;
                if (live + n > in.length) {
                    byte[] bigger = new byte[Math.max(in.length * 2, live + n)];
                    System.arraycopy(in, inStart, bigger, 0, live);
                    in = bigger;
                } else {
                    System.arraycopy(in, inStart, in, 0, live);
                }
                inStart = 0;
                inEnd = live;
            }
            b.get(in, inEnd, n);
            inEnd += n;
        }

        private void pauseReading() {
            if (!readPaused && key.isValid()) {
                readPaused = true;
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            }
        }

        /** Advances the parse as far as the buffered input goes; holds the lock. */
        private void parse() {
            while (true) {
                switch (state) {
                    case HEAD -> {
                        if (!parseHead()) {
                            return;
                        }
                    }
                    case BODY -> {
                        int take = (int) Math.min(bodyLength - body.size(), inEnd - inStart);
                        if (!buffer(take)) {
                            return;
                        }
                        body.write(in, inStart, take);
                        inStart += take;
                        if (body.size() < bodyLength) {
                            return;
                        }
                        dispatch();
                        return;
                    }
                    case CHUNK_SIZE, CHUNK_END, TRAILER -> {
                        String line = line();
                        if (line == null) {
                            if (inEnd - inStart > 1024) {
                                refuse(400, "Bad request: a chunk-size line is longer than 1024 bytes");
                            }
                            return;
                        }
                        if (!chunkLine(line)) {
                            return;
                        }
                    }
                    case CHUNK_DATA -> {
                        int take = (int) Math.min(chunkLeft, inEnd - inStart);
                        if (!buffer(take)) {
                            return;
                        }
                        body.write(in, inStart, take);
                        inStart += take;
                        chunkLeft -= take;
                        if (chunkLeft > 0) {
                            return;
                        }
                        state = State.CHUNK_END;
                    }
                    default -> {
                        return;
                    }
                }
            }
        }

        /** Bytes of this connection's body counted in {@link #bufferedBodies}. */
        private long counted;

        /** Counts body bytes against the server-wide bound; refuses the request (503) beyond it. */
        private boolean buffer(int n) {
            if (bufferedBodies + n > limits.maxBufferedBodyBytes()) {
                refuse(503, "The server holds " + bufferedBodies + " bytes of request bodies still arriving, its limit"
                        + " is " + limits.maxBufferedBodyBytes() + "; retry in a second");
                return false;
            }
            bufferedBodies += n;
            counted += n;
            return true;
        }

        private void releaseBody() {
            bufferedBodies -= counted;
            counted = 0;
        }

        /** @return false when the parse must wait (or stopped) */
        private boolean chunkLine(String line) {
            switch (state) {
                case CHUNK_END -> {
                    if (!line.isEmpty()) {
                        refuse(400, "Bad request: a chunk's data is not followed by CRLF");
                        return false;
                    }
                    state = State.CHUNK_SIZE;
                    return true;
                }
                case TRAILER -> {
                    if (line.isEmpty()) {
                        dispatch();
                        return false;
                    }
                    return true; // trailer fields are ignored
                }
                default -> {
                    int semi = line.indexOf(';');
                    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
                    long size;
                    try {
                        size = hex.isEmpty() || hex.length() > 8 ? -1 : Long.parseLong(hex, 16);
                    } catch (NumberFormatException e) {
                        size = -1;
                    }
                    if (size < 0) {
                        refuse(400, "Bad request: chunk size '" + abbreviate(hex) + "' is not a hexadecimal number");
                        return false;
                    }
                    if (size == 0) {
                        state = State.TRAILER;
                        return true;
                    }
                    if (body.size() + size > limits.maxBodyBytes()) {
                        tooLarge = body.size() + size;
                        closeAfter = true;
                        dispatch();
                        return false;
                    }
                    chunkLeft = size;
                    state = State.CHUNK_DATA;
                    return true;
                }
            }
        }

        /** @return a CRLF-ended line from the input (consumed), or null when none is complete */
        private String line() {
            for (int i = inStart; i + 1 < inEnd; i++) {
                if (in[i] == '\r' && in[i + 1] == '\n') {
                    String s = new String(in, inStart, i - inStart, StandardCharsets.ISO_8859_1);
                    inStart = i + 2;
                    return s;
                }
            }
            return null;
        }

        /** @return whether a head was parsed (the state moved on) */
        private boolean parseHead() {
            while (inEnd - inStart >= 2 && in[inStart] == '\r' && in[inStart + 1] == '\n') {
                inStart += 2; // empty lines before a request are allowed
            }
            if (inEnd == inStart) {
                return false;
            }
            if (headDeadline == 0) {
                headDeadline = System.nanoTime() + limits.headTimeout().toNanos();
            }
            int end = -1;
            int limit = Math.min(inEnd, inStart + limits.maxHeadBytes());
            for (int i = inStart; i + 3 < limit; i++) {
                if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' && in[i + 3] == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                if (inEnd - inStart >= limits.maxHeadBytes()) {
                    refuse(431, "Request header fields too large: the request line and headers exceed "
                            + limits.maxHeadBytes() + " bytes");
                }
                return false;
            }
            String head = new String(in, inStart, end - inStart, StandardCharsets.ISO_8859_1);
            inStart = end + 4;
            headDeadline = 0;
            return startRequest(head);
        }

        private boolean startRequest(String head) {
            String[] lines = head.split("\r\n", -1);
            String[] parts = lines[0].split(" ", -1);
            if (parts.length != 3 || parts[0].isEmpty() || !parts[0].chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')
                    || !parts[1].startsWith("/") && !parts[1].equals("*")) {
                refuse(400, "Bad request: the request line '" + abbreviate(lines[0]) + "' is not 'METHOD /path HTTP/1.1'");
                return false;
            }
            if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
                refuse(505, "HTTP version '" + abbreviate(parts[2]) + "' is not supported; use HTTP/1.1");
                return false;
            }
            if (lines.length - 1 > MAX_HEADERS) {
                refuse(431, "Request header fields too large: more than " + MAX_HEADERS + " header fields");
                return false;
            }
            http10 = parts[2].equals("HTTP/1.0");
            method = parts[0];
            target = parts[1];
            headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                int colon = l.indexOf(':');
                if (colon <= 0 || l.charAt(0) == ' ' || l.charAt(0) == '\t' || l.charAt(colon - 1) == ' '
                        || l.charAt(colon - 1) == '\t') {
                    refuse(400, "Bad request: malformed header line '" + abbreviate(l) + "'");
                    return false;
                }
                headers.computeIfAbsent(l.substring(0, colon).toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>(1))
                        .add(l.substring(colon + 1).trim());
            }
            String connection = first("connection");
            closeAfter = http10 ? connection == null || !connection.equalsIgnoreCase("keep-alive")
                    : connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("close");
            if (!http10 && (headers.get("host") == null || headers.get("host").size() != 1)) {
                refuse(400, "Bad request: an HTTP/1.1 request needs exactly one Host header");
                return false;
            }
            List<String> te = headers.get("transfer-encoding");
            List<String> cl = headers.get("content-length");
            if (te != null && cl != null) {
                refuse(400, "Bad request: both Transfer-Encoding and Content-Length; send one");
                return false;
            }
            body = new java.io.ByteArrayOutputStream();
            tooLarge = -1;
            if (te != null) {
                if (te.size() != 1 || !te.get(0).equalsIgnoreCase("chunked")) {
                    refuse(501, "Transfer-Encoding '" + abbreviate(String.join(", ", te)) + "' is not supported; send"
                            + " chunked or a Content-Length");
                    return false;
                }
                if (!expectContinue()) {
                    return false;
                }
                state = State.CHUNK_SIZE;
                bodyDeadline = System.nanoTime() + limits.bodyTimeout().toNanos();
                return true;
            }
            long length = 0;
            if (cl != null) {
                String v = cl.get(0);
                for (String other : cl) {
                    if (!other.equals(v)) {
                        refuse(400, "Bad request: conflicting Content-Length values");
                        return false;
                    }
                }
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(Character::isDigit)) {
                    refuse(400, "Bad request: Content-Length '" + abbreviate(v) + "' is not a number");
                    return false;
                }
                length = Long.parseLong(v);
            }
            if (length > limits.maxBodyBytes()) {
                tooLarge = length;
                closeAfter = true; // the body is not read
                dispatch();
                return false;
            }
            if (length == 0) {
                dispatch();
                return false;
            }
            if (!expectContinue()) {
                return false;
            }
            bodyLength = length;
            state = State.BODY;
            bodyDeadline = System.nanoTime() + limits.bodyTimeout().toNanos();
            return true;
        }

        private boolean expectContinue() {
            String expect = first("expect");
            if (expect == null) {
                return true;
            }
            if (!expect.equalsIgnoreCase("100-continue")) {
                refuse(417, "Expectation '" + abbreviate(expect) + "' is not supported");
                return false;
            }
            if (!http10) {
                write(ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            }
            return true;
        }

        private String first(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : v.get(0);
        }

        private void dispatch() {
            state = State.HANDLING;
            bodyDeadline = 0;
            releaseBody();
            exchange = new HttpExchange(this, method, target, headers, body.toByteArray(), tooLarge, http10, closeAfter);
            body = null;
            try {
                dispatcher.dispatch(exchange);
            } catch (RuntimeException e) {
                LOG.error("MCP HTTP dispatch failed", e);
                exchange.abort();
            }
        }

        /** Answers a request the front itself refuses, then closes the connection. */
        private void refuse(int status, String message) {
            LOG.debug("HTTP request from {} refused ({}): {}", client.getHostAddress(), status, message);
            releaseBody();
            byte[] json = HttpExchange.jsonRpcError(message);
            state = State.HANDLING;
            closeAfter = true;
            write(ByteBuffer.wrap(HttpExchange.head(status, "application/json", json.length,
                    status == 503 ? Map.of("Retry-After", "1") : Map.of(), true)));
            write(ByteBuffer.wrap(json));
            responseDone();
        }

        // the deadlines (selector thread)

        void checkDeadlines(long now) {
            boolean stalledWrite;
            synchronized (this) {
                switch (state) {
                    case HEAD -> {
                        if (headDeadline != 0 && now - headDeadline > 0) {
                            refuse(408, "Request timeout: the request line and headers did not arrive within "
                                    + limits.headTimeout().toMillis() + " ms; send the whole request at once");
                        } else if (headDeadline == 0 && inEnd == inStart && now - idleDeadline > 0) {
                            LOG.debug("closing a connection from {} idle for {} ms", client.getHostAddress(),
                                    limits.idleTimeout().toMillis());
                            closeNow(false);
                        }
                        return;
                    }
                    case BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER -> {
                        if (now - bodyDeadline > 0) {
                            refuse(408, "Request timeout: the body did not arrive within "
                                    + limits.bodyTimeout().toMillis() + " ms (" + body.size() + " bytes came"
                                    + (state == State.BODY ? " of " + bodyLength : "") + "); send the whole request at once");
                        }
                        return;
                    }
                    default -> stalledWrite = writeStalledSince != 0 && now - writeStalledSince
                            > limits.writeTimeout().toNanos();
                }
            }
            if (stalledWrite) {
                LOG.debug("closing a connection from {}: it read nothing of its response for {} ms",
                        client.getHostAddress(), limits.writeTimeout().toMillis());
                clientClosed();
            }
        }

        // writing (any thread)

        /** Queues bytes and writes what the socket takes now; false when the connection is gone. */
        synchronized boolean write(ByteBuffer b) {
            if (state == State.CLOSED) {
                return false;
            }
            if (out.isEmpty()) {
                try {
                    channel.write(b);
                } catch (IOException e) {
                    execute(this::clientClosed);
                    return false;
                }
                if (!b.hasRemaining()) {
                    return true;
                }
            }
            out.add(b);
            outBytes += b.remaining();
            if (outBytes > limits.maxPendingOutputBytes()) {
                LOG.debug("closing a connection from {}: {} bytes of response wait for it to read", client.getHostAddress(),
                        outBytes);
                execute(this::clientClosed);
                return false;
            }
            if (writeStalledSince == 0) {
                writeStalledSince = System.nanoTime();
                execute(() -> {
                    if (key.isValid()) {
                        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                    }
                });
            }
            return true;
        }

        void flushFromSelector() {
            synchronized (this) {
                try {
                    while (!out.isEmpty()) {
                        ByteBuffer b = out.peek();
                        int n = channel.write(b);
                        outBytes -= n;
                        if (b.hasRemaining()) {
                            writeStalledSince = System.nanoTime();
                            return;
                        }
                        out.poll();
                    }
                } catch (IOException e) {
                    out.clear();
                }
                writeStalledSince = 0;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                }
                if (state == State.HANDLING && exchange == null) {
                    afterResponse();
                }
            }
        }

        /** The response is complete (written or queued): close, or read the next request. */
        synchronized void responseDone() {
            if (state == State.CLOSED) {
                return;
            }
            exchange = null;
            if (!out.isEmpty()) {
                return; // flushFromSelector continues once the queue is empty
            }
            afterResponse();
        }

        private void afterResponse() {
            if (closeAfter || closed) {
                execute(() -> closeNow(false));
                return;
            }
            state = State.HEAD;
            headDeadline = 0;
            idleDeadline = System.nanoTime() + limits.idleTimeout().toNanos();
            execute(() -> {
                synchronized (this) {
                    if (readPaused && key.isValid()) {
                        readPaused = false;
                        key.interestOps(key.interestOps() | SelectionKey.OP_READ);
                    }
                    if (state == State.HEAD && inEnd > inStart) {
                        parse(); // a pipelined request
                    }
                }
            });
        }

        /** The client closed (or reset) the connection, or stopped reading: tell a pending exchange. */
        void clientClosed() {
            HttpExchange pending;
            synchronized (this) {
                pending = state == State.HANDLING ? exchange : null;
            }
            closeNow(false);
            if (pending != null) {
                pending.clientClosed();
            }
        }

        /** Closes the socket (from any thread: the bookkeeping runs on the selector thread). */
        void closeNow(boolean shutdown) {
            synchronized (this) {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.CLOSED;
                out.clear();
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a connection: {}", e.toString());
            }
            Runnable forget = () -> {
                releaseBody();
                connections.remove(this);
                perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
            };
            if (Thread.currentThread() == thread) {
                forget.run();
            } else if (!shutdown) {
                execute(forget);
            }
        }
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "…";
    }
}
