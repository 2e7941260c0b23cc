package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When every request thread is busy and the request queue is full, a further request gets a 503
 * with {@code Retry-After}, and the server serves everything it admitted once the threads free up.
 */
@Timeout(60)
class McpHttpOverloadTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).build();
    private McpHttpServer http;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (http != null) {
            http.close();
        }
        mcp.close();
        kami.close();
    }

    /** Opens a connection and sends a whole request with this bearer token. */
    private Socket open(byte[] body, String token) throws IOException {
        Socket s = new Socket("127.0.0.1", http.port());
        sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + http.port() + "\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " + token + "\r\nContent-Length: "
                + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return s;
    }

    /** @return the response's head and body as text, or null when none came within the timeout */
    private static String response(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                int head = text.indexOf("\r\n\r\n");
                int length = text.toLowerCase().indexOf("content-length: ");
                if (head > 0 && length > 0) {
                    int end = text.indexOf("\r\n", length);
                    int declared = Integer.parseInt(text.substring(length + 16, end).trim());
                    if (got.size() >= head + 4 + declared) {
                        break;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            return got.size() == 0 ? null : got.toString(StandardCharsets.UTF_8);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestBeyondTheThreadsAndTheQueueGets503AndTheAdmittedOnesAreServed() throws Exception {
        // a token check that waits holds a request thread (the front reads requests without any)
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        http = McpHttpServer.builder(mcp).threads(2).queueCapacity(1).tokenValidator(token -> {
            if (token.equals("slow")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return true;
        }).start();
        byte[] body = Rpc.initialize("2025-11-25").getBytes(StandardCharsets.UTF_8);
        List<Socket> slow = new ArrayList<>(List.of(open(body, "slow"), open(body, "slow")));
        Thread.sleep(300);
        // the next requests wait in the queue (one slot) or are refused with a 503
        String refused = null;
        List<Socket> waiting = new ArrayList<>();
        for (int i = 0; i < 6 && refused == null; i++) {
            Socket s = open(body, "fast");
            String r = response(s, 1500);
            if (r == null) {
                waiting.add(s); // admitted to the queue: it is served below
            } else {
                refused = r;
            }
        }
        assertThat(refused).as("a request beyond 2 threads and 1 queue slot got an answer").isNotNull();
        assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                .contains("overloaded").contains("2 request threads");
        assertThat(waiting).as("requests that waited in the queue").hasSizeLessThanOrEqualTo(1);

        // the slow checks finish: they, and the queued request, are served
        release.countDown();
        slow.addAll(waiting);
        for (Socket s : slow) {
            String r = response(s, 10_000);
            assertThat(r).as("an admitted request was served").isNotNull().startsWith("HTTP/1.1 200")
                    .contains("protocolVersion");
        }
        // and the server is healthy again
        Socket again = open(body, "fast");
        assertThat(response(again, 10_000)).startsWith("HTTP/1.1 200");
    }
}
