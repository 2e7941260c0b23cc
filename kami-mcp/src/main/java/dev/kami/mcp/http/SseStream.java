package dev.kami.mcp.http;

import java.nio.charset.StandardCharsets;

/**
 * A {@code text/event-stream} response on an {@link HttpExchange}: JSON-RPC messages as
 * {@code message} events, comments as keep-alives. Writing never blocks; a write to a closed
 * connection answers false. Thread-safe.
 */
final class SseStream {
    static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.UTF_8);
    private final HttpExchange exchange;

    SseStream(HttpExchange exchange) {
        this.exchange = exchange;
    }

    /** Sends the head and a first comment; false when the client is gone. */
    boolean open() {
        exchange.setHeader("Cache-Control", "no-cache").setHeader("X-Accel-Buffering", "no");
        return exchange.beginStream(200, "text/event-stream", COMMENT);
    }

    /** @return false when the client is gone */
    boolean event(String json) {
        return exchange.streamWrite(frame(json));
    }

    /** @return false when the client is gone */
    boolean comment() {
        return exchange.streamWrite(COMMENT);
    }

    /** Writes a last event (if any) and ends the response. Idempotent. */
    void end(String lastEvent) {
        exchange.endStream(lastEvent == null ? new byte[0] : frame(lastEvent));
    }

    HttpExchange exchange() {
        return exchange;
    }

    static byte[] frame(String json) {
        return ("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
