package dev.kami.mcp.protocol;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fair admission of tool calls: each client (a transport's client key, else a session) runs at
 * most {@code share} calls at once; its further calls wait in its own line (first come, first
 * served) until one of its calls ends, at most {@code waitMs}, then are refused as busy. So one
 * client's long calls never hold more than its share of KAMI's workers, while a single busy
 * client still gets its calls run one after another. Thread-safe.
 */
final class ClientAdmission {
    private final int share;
    private final long waitMs;
    private final Map<Object, Client> clients = new HashMap<>(); // guarded by this

    private static final class Client {
        int running;
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    }

    /** A call waiting for its client's turn. */
    static final class Waiter {
        private final Object client;
        private final Runnable start;
        private final Runnable timedOut;
        private boolean gone; // guarded by the admission

        private Waiter(Object client, Runnable start, Runnable timedOut) {
            this.client = client;
            this.start = start;
            this.timedOut = timedOut;
        }
    }

    ClientAdmission(int share, long waitMs) {
        this.share = share;
        this.waitMs = waitMs;
    }

    int share() {
        return share;
    }

    long waitMs() {
        return waitMs;
    }

    /**
     * Runs {@code start} now if {@code client} is under its share; else queues it, and runs
     * {@code timedOut} instead if its turn has not come within the wait.
     *
     * @return the waiter to {@link #abandon} on cancellation, or null when it started at once or
     *     was refused at once (no wait allowed)
     */
    Waiter enter(Object client, Runnable start, Runnable timedOut) {
        Waiter w;
        synchronized (this) {
            Client c = clients.computeIfAbsent(client, k -> new Client());
            if (c.running < share) {
                c.running++;
                w = null;
            } else if (waitMs == 0) {
                if (c.running == 0 && c.waiting.isEmpty()) {
                    clients.remove(client);
                }
                w = new Waiter(client, start, timedOut);
                w.gone = true;
            } else {
                w = new Waiter(client, start, timedOut);
                c.waiting.add(w);
            }
        }
        if (w == null) {
            start.run();
            return null;
        }
        if (w.gone) {
            timedOut.run();
            return null;
        }
        Waiter waiter = w;
        CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS).execute(() -> {
            if (remove(waiter)) {
                waiter.timedOut.run();
            }
        });
        return w;
    }

    /** A queued call was cancelled: it leaves the line. @return whether it was still waiting */
    boolean abandon(Waiter w) {
        return remove(w);
    }

    private synchronized boolean remove(Waiter w) {
        if (w.gone) {
            return false;
        }
        w.gone = true;
        Client c = clients.get(w.client);
        if (c != null) {
            c.waiting.remove(w);
            if (c.running == 0 && c.waiting.isEmpty()) {
                clients.remove(w.client);
            }
        }
        return true;
    }

    /** A call of {@code client} ended: the next one in its line (if any) starts. */
    void leave(Object client) {
        Waiter next;
        synchronized (this) {
            Client c = clients.get(client);
            if (c == null) {
                return;
            }
            next = c.waiting.poll();
            if (next != null) {
                next.gone = true; // its slot passes on: running stays the same
            } else if (--c.running == 0) {
                clients.remove(client);
            }
        }
        if (next != null) {
            next.start.run();
        }
    }
}
