package dev.kami.mcp.http;

import dev.kami.mcp.protocol.McpSession;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy (2025-era) sessions of an HTTP endpoint, keyed by {@code Mcp-Session-Id}: capped in
 * all and per client address (a place is reserved before {@code initialize} runs, so a flood
 * cannot overshoot), ended when idle, and ended within seconds when never used after
 * {@code initialize} (what a session flood leaves behind). Thread-safe.
 */
final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A legacy session: its protocol state, its client, when it was last used, its GET stream. */
    static final class HttpSession {
        final String id;
        final String client;
        final long createdAt = System.currentTimeMillis();
        volatile McpSession session;
        volatile long lastSeen = createdAt;
        /** Whether a request other than initialize came, or a GET stream opened. */
        volatile boolean used;
        volatile SseStream stream;
        /** Bookkeeping to run once the GET stream has ended. */
        volatile Runnable streamEnded;
        volatile boolean ended;

        HttpSession(String id, String client) {
            this.id = id;
            this.client = client;
        }
    }

    private final int maxSessions;
    private final int maxPerClient;
    private final long idleTimeoutMs;
    private final long unusedTimeoutMs;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Integer> perClient = new HashMap<>(); // guarded by this
    private int reserved; // guarded by this

    SessionRegistry(int maxSessions, int maxPerClient, long idleTimeoutMs, long unusedTimeoutMs) {
        this.maxSessions = maxSessions;
        this.maxPerClient = maxPerClient;
        this.idleTimeoutMs = idleTimeoutMs;
        this.unusedTimeoutMs = unusedTimeoutMs;
    }

    /** @return seconds after which a refused client may find room (a never-used session will have gone) */
    long retryAfterSeconds() {
        return Math.max(1, (unusedTimeoutMs + 999) / 1000);
    }

    /**
     * Reserves a place for a new session of {@code client}.
     *
     * @return the session (not yet registered), or null when a limit is reached: see {@link #refusal}
     */
    synchronized HttpSession reserve(String client) {
        if (reserved >= maxSessions || perClient.getOrDefault(client, 0) >= maxPerClient) {
            return null;
        }
        reserved++;
        perClient.merge(client, 1, Integer::sum);
        return new HttpSession(newSessionId(), client);
    }

    /** @return why {@code client} got no session */
    synchronized String refusal(String client) {
        if (reserved >= maxSessions) {
            return "Too many sessions: the server holds its limit of " + maxSessions + "; retry in "
                    + retryAfterSeconds() + " s (unused sessions end after " + unusedTimeoutMs + " ms)";
        }
        return "Too many sessions from " + client + ": " + perClient.getOrDefault(client, 0) + " are open, the limit per"
                + " client address is " + maxPerClient + "; end sessions you no longer use (DELETE) or retry in "
                + retryAfterSeconds() + " s";
    }

    /** Registers a reserved session whose initialize succeeded. */
    void register(HttpSession s) {
        sessions.put(s.id, s);
    }

    HttpSession get(String id) {
        return sessions.get(id);
    }

    int size() {
        return sessions.size();
    }

    List<HttpSession> all() {
        return List.copyOf(sessions.values());
    }

    /** Ends a session (registered or only reserved): cancels its calls, ends its stream. Idempotent. */
    void end(HttpSession s) {
        synchronized (this) {
            if (s.ended) {
                return;
            }
            s.ended = true;
            reserved--;
            perClient.computeIfPresent(s.client, (k, n) -> n <= 1 ? null : n - 1);
        }
        sessions.remove(s.id, s);
        McpSession m = s.session;
        if (m != null) {
            m.close();
        }
        SseStream stream = s.stream;
        if (stream != null) {
            stream.end(null);
            Runnable ended = s.streamEnded;
            if (ended != null) {
                ended.run();
            }
        }
    }

    /** Ends sessions idle past the idle timeout, and sessions never used past the unused timeout. */
    void expire() {
        long now = System.currentTimeMillis();
        for (HttpSession s : all()) {
            if (s.stream != null || s.session.inFlightCount() > 0) {
                continue;
            }
            if (!s.used && now - s.createdAt > unusedTimeoutMs) {
                LOG.debug("session {} of {} ended: not used within {} ms of initialize", s.id, s.client, unusedTimeoutMs);
                end(s);
            } else if (now - s.lastSeen > idleTimeoutMs) {
                LOG.debug("session {} of {} expired after {} ms idle", s.id, s.client, idleTimeoutMs);
                end(s);
            }
        }
    }

    private static String newSessionId() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
