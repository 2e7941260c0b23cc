package dev.kami.mcp.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw-socket HTTP/1.1 client for tests that must behave as no well-kept client would: stall
 * half-way through a request, hold connections open, come from a chosen loopback address
 * (127.0.0.2 and up are all loopback on Linux), or close a stream at a chosen moment.
 */
final class RawHttp implements AutoCloseable {
    /** A response: status, headers (lower-case names) and body (de-chunked). */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    private RawHttp(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.port = port;
    }

    /** Connects to 127.0.0.1:port from 127.0.0.1. */
    static RawHttp connect(int port) throws IOException {
        return connect(port, "127.0.0.1");
    }

    /** Connects to 127.0.0.1:port from the loopback address {@code from}. */
    static RawHttp connect(int port, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setTcpNoDelay(true);
        return new RawHttp(s, port);
    }

    /** @return a POST /mcp head (no blank line) with these extra header lines */
    String postHead(int length, String... headers) {
        StringBuilder b = new StringBuilder("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
                + length + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.toString();
    }

    /** Sends a whole POST /mcp with a JSON body. */
    RawHttp post(String json, String... headers) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        write(postHead(body.length, headers) + "\r\n");
        out.write(body);
        out.flush();
        return this;
    }

    /** Sends a GET of {@code path}. */
    RawHttp get(String path, String... headers) throws IOException {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        write(b.append("\r\n").toString());
        return this;
    }

    RawHttp write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    /**
     * Reads one response, waiting at most {@code timeoutMs} for each read.
     *
     * @throws SocketTimeoutException when the server does not answer in time
     */
    Response read(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        String head = readHead();
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int code = Integer.parseInt(status[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String size = readLine();
                int n = Integer.parseInt(size.trim(), 16);
                if (n == 0) {
                    readLine();
                    break;
                }
                body.write(in.readNBytes(n));
                readLine();
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else if (code != 204 && code != 202 && code != 304 && code >= 200) {
            body.write(in.readAllBytes()); // until the server closes
        }
        return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** Reads up to the end of a response head (without its blank line), or "" at end of stream. */
    String readHead() throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            String line = readLine();
            if (line == null) {
                return b.toString();
            }
            if (line.isEmpty()) {
                if (b.length() == 0) {
                    continue;
                }
                return b.toString();
            }
            if (b.length() > 0) {
                b.append("\r\n");
            }
            b.append(line);
        }
    }

    /** @return a line without its CRLF, or null at end of stream */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] b = line.toByteArray();
                int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** @return whether the server closed the connection (end of stream or reset) within timeoutMs */
    boolean closedByServer(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
