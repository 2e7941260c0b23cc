package dev.kami.mcp.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request read whole by {@link HttpFront} and its response: answered once with a body
 * ({@link #respond}) or as a stream of chunks ({@link #beginStream}, {@link #streamWrite},
 * {@link #endStream}). Any thread may answer; writing never blocks. Thread-safe.
 */
final class HttpExchange {
    private final HttpFront.Connection connection;
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final long tooLarge;
    private final boolean http10;
    private final boolean closeAfter;
    private final Map<String, String> responseHeaders = new LinkedHashMap<>(); // guarded by this
    private final List<Runnable> onClose = new ArrayList<>(); // guarded by this
    private boolean started; // guarded by this
    private boolean ended; // guarded by this
    private boolean clientGone; // guarded by this

    HttpExchange(HttpFront.Connection connection, String method, String target, Map<String, List<String>> headers,
            byte[] body, long tooLarge, boolean http10, boolean closeAfter) {
        this.connection = connection;
        this.method = method;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        this.headers = headers;
        this.body = body;
        this.tooLarge = tooLarge;
        this.http10 = http10;
        this.closeAfter = closeAfter;
    }

    String method() {
        return method;
    }

    /** @return the request path, without its query */
    String path() {
        return path;
    }

    /** @return the first value of a request header (any case), or null */
    String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null ? null : v.get(0);
    }

    byte[] body() {
        return body;
    }

    /** @return the declared or reached size of a body over the limit (left unread), or -1 */
    long tooLargeBody() {
        return tooLarge;
    }

    /** @return the client's IP address, e.g. {@code 127.0.0.1} */
    String clientAddress() {
        return connection.client.getHostAddress();
    }

    /** Sets a response header (before the response starts). */
    synchronized HttpExchange setHeader(String name, String value) {
        responseHeaders.put(name, value);
        return this;
    }

    /** Sets a response header unless one of that name is set. */
    synchronized HttpExchange setHeaderIfAbsent(String name, String value) {
        responseHeaders.putIfAbsent(name, value);
        return this;
    }

    /** Answers with a complete body; false when the client is gone or the exchange was answered. */
    boolean respond(int status, String contentType, byte[] content) {
        byte[] head;
        synchronized (this) {
            if (started || clientGone) {
                return false;
            }
            started = true;
            ended = true;
            head = head(status, contentType, content.length, responseHeaders, closeAfter);
        }
        // one write, one segment: head and body together
        ByteBuffer b = ByteBuffer.allocate(head.length + content.length);
        b.put(head).put(content).flip();
        boolean ok = connection.write(b);
        connection.responseDone();
        return ok;
    }

    /** Answers with a status and no body (202, 204). */
    boolean respondEmpty(int status) {
        return respond(status, null, new byte[0]);
    }

    /**
     * Starts a streamed (chunked) response with its first chunk (written together); false when
     * the client is gone or it was answered.
     */
    boolean beginStream(int status, String contentType, byte[] first) {
        synchronized (this) {
            if (started || clientGone) {
                return false;
            }
            started = true;
            // HTTP/1.0 has no chunks: its stream ends when the connection closes
            byte[] head = head(status, contentType, -1, responseHeaders, http10 || closeAfter);
            byte[] chunk = chunk(first);
            ByteBuffer b = ByteBuffer.allocate(head.length + chunk.length);
            b.put(head).put(chunk).flip();
            return connection.write(b);
        }
    }

    private byte[] chunk(byte[] data) {
        if (http10 || data.length == 0) {
            return data;
        }
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size.length + data.length + 2];
        System.arraycopy(size, 0, out, 0, size.length);
        System.arraycopy(data, 0, out, size.length, data.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Writes one chunk of a streamed response; false when the client is gone or the stream ended. */
    boolean streamWrite(byte[] data) {
        synchronized (this) {
            if (!started || ended || clientGone) {
                return false;
            }
            return connection.write(ByteBuffer.wrap(chunk(data)));
        }
    }

    /** Ends a streamed response; the connection then serves its next request. Idempotent. */
    void endStream() {
        endStream(new byte[0]);
    }

    /** Writes a last chunk (may be empty) and ends a streamed response, together. Idempotent. */
    void endStream(byte[] last) {
        synchronized (this) {
            if (!started || ended) {
                return;
            }
            ended = true;
            if (http10) {
                if (last.length > 0) {
                    connection.write(ByteBuffer.wrap(last));
                }
                connection.closeNow(false);
                return;
            }
            byte[] chunk = chunk(last);
            ByteBuffer b = ByteBuffer.allocate(chunk.length + 5);
            b.put(chunk).put("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).flip();
            connection.write(b);
        }
        connection.responseDone();
    }

    /** Closes the connection without (more of) a response. */
    void abort() {
        synchronized (this) {
            ended = true;
        }
        connection.closeNow(false);
    }

    /**
     * Runs {@code r} once if the client closes the connection before the response ends (at once
     * if it already has).
     */
    void onClientClose(Runnable r) {
        synchronized (this) {
            if (!clientGone) {
                onClose.add(r);
                return;
            }
        }
        r.run();
    }

    /** Called by the front when the connection closed under a pending response. */
    void clientClosed() {
        List<Runnable> run;
        synchronized (this) {
            if (clientGone || ended) {
                return;
            }
            clientGone = true;
            run = List.copyOf(onClose);
            onClose.clear();
        }
        for (Runnable r : run) {
            r.run();
        }
    }

    synchronized boolean isClientGone() {
        return clientGone;
    }

    // ---- formatting --------------------------------------------------------------------------

    /** @return a response head; {@code length} -1 means chunked */
    static byte[] head(int status, String contentType, long length, Map<String, String> headers, boolean close) {
        StringBuilder b = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
        if (contentType != null) {
            b.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (length >= 0) {
            if (status != 204) {
                b.append("Content-Length: ").append(length).append("\r\n");
            }
        } else if (!close) {
            b.append("Transfer-Encoding: chunked\r\n");
        }
        if (close) {
            b.append("Connection: close\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return a JSON-RPC error without an id, for refusals made before a message was read */
    static byte[] jsonRpcError(String message) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":" + quote(message) + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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

    private static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
