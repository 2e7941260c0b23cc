package dev.kami.store.jdbc.internal;

import dev.kami.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A small, bounded pool of JDBC connections: at most {@code size} are open or lent at once, a
 * borrower waits for a free one up to a deadline, and a connection that failed with a connection
 * error is closed rather than lent again. Enough for a registry, whose traffic is a few short
 * statements; see ADR 0205 for why this is not HikariCP. Thread-safe.
 */
final class ConnectionPool {
    /** Opens a new connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final int size;
    private final long waitMillis;
    private final String displayUrl;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ConnectionPool(Opener opener, int size, long waitMillis, String displayUrl) {
        this.opener = opener;
        this.size = size;
        this.waitMillis = waitMillis;
        this.displayUrl = displayUrl;
        this.permits = new Semaphore(size, true);
    }

    Connection borrow() throws SQLException {
        try {
            if (!permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new StoreException("no free connection to the registry " + displayUrl + " after " + waitMillis
                        + " ms: all " + size + " are in use; raise the store option 'pool.size' or make fewer"
                        + " concurrent registry calls");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a connection to the registry " + displayUrl, e);
        }
        try {
            Connection c;
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("the tool store on " + displayUrl + " is closed; open a new one");
                }
                c = idle.pollFirst();
            }
            while (c != null && c.isClosed()) {
                synchronized (this) {
                    c = idle.pollFirst();
                }
            }
            return c != null ? c : opener.open();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    void release(Connection c, boolean broken) {
        boolean keep;
        synchronized (this) {
            keep = !broken && !closed;
            if (keep) {
                idle.addFirst(c);
            }
        }
        if (!keep) {
            closeQuietly(c);
        }
        permits.release();
    }

    void close() {
        Deque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a connection we no longer want; nothing to do
        }
    }
}
