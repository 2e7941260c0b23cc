package dev.kami.mcp.servlet;

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
 * The legacy (2025-era) sessions of the servlet, keyed by {@code Mcp-Session-Id}, with the same
 * rules as the built-in HTTP server's: capped in all and per client address (a place is reserved
 * before {@code initialize} runs), ended when idle, and within seconds when never used after
 * {@code initialize}. Thread-safe.
 */
final class LegacySessions {
    private static final Logger LOG = LoggerFactory.getLogger(LegacySessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A legacy session: its protocol state, its client, when it was last used, its GET stream. */
    static final class Session {
        final String id;
        final String client;
        final long createdAt = System.currentTimeMillis();
        volatile McpSession session;
        volatile long lastSeen = createdAt;
        volatile boolean used;
        /** The open GET stream, or null; set and cleared under the session's lock. */
        Exchange stream;
        /** Bookkeeping to run once the GET stream has ended. */
        volatile Runnable streamEnded;
        volatile boolean ended;

        Session(String id, String client) {
            this.id = id;
            this.client = client;
        }

        synchronized Exchange stream() {
            return stream;
        }
    }

    private final int maxSessions;
    private final int maxPerClient;
    private final long idleTimeoutMs;
    private final long unusedTimeoutMs;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Integer> perClient = new HashMap<>(); // guarded by this
    private int reserved; // guarded by this

    LegacySessions(int maxSessions, int maxPerClient, long idleTimeoutMs, long unusedTimeoutMs) {
        this.maxSessions = maxSessions;
        this.maxPerClient = maxPerClient;
        this.idleTimeoutMs = idleTimeoutMs;
        this.unusedTimeoutMs = unusedTimeoutMs;
    }

    long retryAfterSeconds() {
        return Math.max(1, (unusedTimeoutMs + 999) / 1000);
    }

    /** @return a reserved session (not yet registered), or null when a limit is reached: see {@link #refusal} */
    synchronized Session reserve(String client) {
        if (reserved >= maxSessions || perClient.getOrDefault(client, 0) >= maxPerClient) {
            return null;
        }
        reserved++;
        perClient.merge(client, 1, Integer::sum);
        return new Session(newSessionId(), client);
    }

    synchronized String refusal(String client) {
        if (reserved >= maxSessions) {
            return "Too many sessions: the server holds its limit of " + maxSessions + "; retry in "
                    + retryAfterSeconds() + " s (unused sessions end after " + unusedTimeoutMs + " ms)";
        }
        return "Too many sessions from " + client + ": " + perClient.getOrDefault(client, 0) + " are open, the limit per"
                + " client address is " + maxPerClient + "; end sessions you no longer use (DELETE) or retry in "
                + retryAfterSeconds() + " s";
    }

    void register(Session s) {
        sessions.put(s.id, s);
    }

    Session get(String id) {
        return sessions.get(id);
    }

    int size() {
        return sessions.size();
    }

    List<Session> all() {
        return List.copyOf(sessions.values());
    }

    /** Ends a session (registered or only reserved): cancels its calls, ends its stream. Idempotent. */
    void end(Session s) {
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
        Exchange stream = s.stream();
        if (stream != null) {
            stream.endStream(new byte[0]);
            Runnable ended = s.streamEnded;
            if (ended != null) {
                ended.run();
            }
        }
    }

    /** Ends sessions idle past the idle timeout, and sessions never used past the unused timeout. */
    void expire() {
        long now = System.currentTimeMillis();
        for (Session s : all()) {
            if (s.stream() != null || s.session.inFlightCount() > 0) {
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
