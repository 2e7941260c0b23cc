package dev.kami.mcp.stdio;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import dev.kami.spi.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MCP over a pair of byte streams: one JSON-RPC message per line in, one per line out
 * (stdin/stdout for a subprocess server, or any socket). Requests are handled concurrently — a
 * slow tool never blocks {@code ping} or another call — and writes are serialized. At end of
 * input the server waits for the calls in flight (up to the shutdown grace, then cancels them)
 * and stops.
 *
 * <pre>{@code
 * try (McpServer mcp = McpServer.builder(kami).build();
 *      StdioServer stdio = StdioServer.start(mcp, System.in, System.out)) {
 *     stdio.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Only MCP messages are written to {@code out}; logs go through slf4j (configure it to
 * stderr). Thread-safe.
 */
public final class StdioServer implements Server {
    private static final Logger LOG = LoggerFactory.getLogger(StdioServer.class);

    private final McpServer mcp;
    private final InputStream in;
    private final OutputStream out;
    private final Duration shutdownGrace;
    private final boolean closeMcpServer;
    private final McpSession session;
    private final Object writeLock = new Object();
    private final AtomicInteger pending = new AtomicInteger();
    private final Object pendingLock = new Object();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean outputBroken;

    private StdioServer(McpServer mcp, InputStream in, OutputStream out, Duration shutdownGrace, boolean closeMcpServer) {
        this.mcp = mcp;
        this.in = in;
        this.out = out;
        this.shutdownGrace = shutdownGrace;
        this.closeMcpServer = closeMcpServer;
        this.session = mcp.openSession(this::write);
    }

    /**
     * Starts serving on a reader thread and returns at once. Does not close {@code mcp} when it stops.
     *
     * @param mcp the protocol core
     * @param in where messages arrive, one per line
     * @param out where replies go, one per line; nothing else is written to it
     * @return the running server
     */
    public static StdioServer start(McpServer mcp, InputStream in, OutputStream out) {
        return start(mcp, in, out, Duration.ofSeconds(10), false);
    }

    /**
     * As {@link #start(McpServer, InputStream, OutputStream)}.
     *
     * @param shutdownGrace how long to wait at end of input for calls in flight before cancelling them
     * @param closeMcpServer whether stopping also closes {@code mcp}
     */
    public static StdioServer start(McpServer mcp, InputStream in, OutputStream out, Duration shutdownGrace,
            boolean closeMcpServer) {
        Objects.requireNonNull(mcp, "mcp");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        StdioServer s = new StdioServer(mcp, in, out, shutdownGrace, closeMcpServer);
        Thread t = new Thread(s::readLoop, "kami-mcp-stdio-reader");
        t.setDaemon(true);
        t.start();
        return s;
    }

    private void readLoop() {
        LineReader reader = new LineReader(in, mcpMaxBytes());
        try {
            LineReader.Line line;
            while (!closed.get() && (line = reader.next()) != null) {
                if (line.tooLong()) {
                    write(mcp.tooLargeReply(line.tooLongBytes()).json());
                    continue;
                }
                if (isBlank(line.bytes())) {
                    continue;
                }
                pending.incrementAndGet();
                session.handle(line.bytes()).whenComplete((replies, failure) -> {
                    try {
                        if (failure != null) {
                            LOG.error("MCP message handling failed", failure);
                        } else {
                            replies.forEach(this::write);
                        }
                    } finally {
                        if (pending.decrementAndGet() == 0) {
                            synchronized (pendingLock) {
                                pendingLock.notifyAll();
                            }
                        }
                    }
                });
            }
            LOG.debug("end of MCP input; waiting for {} request(s) in flight", pending.get());
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.warn("reading MCP input failed: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("MCP stdio reader failed", e);
        } finally {
            drainAndStop();
        }
    }

    private int mcpMaxBytes() {
        // The core refuses larger messages; the reader need not hold more than that.
        return mcp.maxMessageBytes();
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\t' && x != '\r') {
                return false;
            }
        }
        return true;
    }

    private void drainAndStop() {
        // Subscriptions never end by themselves: answer them now, then wait for real work.
        session.endSubscriptions();
        try {
            if (!awaitPending(shutdownGrace.toMillis())) {
                LOG.warn("{} MCP request(s) still running after {}; cancelling them", pending.get(), shutdownGrace);
                session.cancelAll();
                awaitPending(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }

    private boolean awaitPending(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (pendingLock) {
            while (pending.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                pendingLock.wait(left);
            }
        }
        return true;
    }

    private void stop() {
        session.close();
        if (closeMcpServer) {
            mcp.close();
        }
        synchronized (writeLock) {
            try {
                out.flush();
            } catch (IOException e) {
                LOG.debug("flush at stop failed: {}", e.toString());
            }
        }
        terminated.countDown();
    }

    private void write(String json) {
        if (json == null || json.isEmpty() || outputBroken) {
            return;
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                outputBroken = true;
                LOG.warn("writing to the MCP client failed ({}); stopping output", e.toString());
            }
        }
    }

    /** @return {@code "stdio"} */
    @Override
    public String address() {
        return "stdio";
    }

    /** Blocks until input ended and the calls in flight were answered or cancelled, or {@link #close()}. */
    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** @return the session serving this stream (for tests and diagnostics) */
    public McpSession session() {
        return session;
    }

    /** Stops reading, cancels the calls in flight and releases the session. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            session.cancelAll();
            try {
                in.close();
            } catch (IOException e) {
                LOG.debug("closing MCP input failed: {}", e.toString());
            }
            // A blocked read may not return on close (System.in); do not wait for the reader thread.
            stop();
        }
    }
}
