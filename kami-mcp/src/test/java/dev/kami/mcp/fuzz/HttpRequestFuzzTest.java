package dev.kami.mcp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.ToolResult;
import dev.kami.manifest.ArgumentType;
import dev.kami.manifest.ToolAnnotations;
import dev.kami.manifest.ToolArgument;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whatever bytes a client sends, the HTTP front answers with well-formed HTTP/1.1 responses (or
 * closes the connection), never hangs past its read bounds, and keeps serving: a plain
 * {@code GET /health} on a new connection still answers 200. The server runs on loopback with
 * short read bounds; the fuzzing client half-closes after its bytes, as a client that gave up would.
 * Seeds: {@code HttpRequestFuzzTestInputs/} (requests of both MCP eras, chunked bodies, pipelining,
 * ambiguous framing).
 */
class HttpRequestFuzzTest {
    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.[01] [1-5][0-9][0-9] ");
    private static final McpHttpServer HTTP = start();

    private static McpHttpServer start() {
        FakeKami kami = new FakeKami();
        kami.add(FakeKami.tool("dev.test.echo", "Echo", "Returns the message it was given",
                List.of(new ToolArgument("message", ArgumentType.STRING, "what to echo", true)), null, null,
                ToolAnnotations.NONE, true), (args, token) -> ToolResult.success(String.valueOf(args.get("message"))));
        McpServer mcp = McpServer.builder(kami).build();
        return McpHttpServer.builder(mcp).port(0).maxRequestBytes(16 * 1024)
                .headTimeout(Duration.ofMillis(300)).bodyTimeout(Duration.ofMillis(300))
                .idleTimeout(Duration.ofMillis(300)).maxConnectionsPerClient(1000).start();
    }

    @FuzzTest(maxDuration = "20s")
    void everyRequestGetsWellFormedResponsesAndTheServerKeepsServing(byte[] request) throws IOException {
        // the fuzzer's SSRF detector would flag this test's own connections (to the loopback server under test)
        try (var ownConnections = BugDetectors.allowNetworkConnections()) {
            check(request);
        }
    }

    private static void check(byte[] request) throws IOException {
        String answer = exchange(request, true);
        if (!answer.isEmpty()) {
            assertThat(answer).as("the answer to %s", new String(request, StandardCharsets.ISO_8859_1))
                    .containsPattern(STATUS_LINE);
        }
        String health = exchange("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), false);
        assertThat(health).startsWith("HTTP/1.1 200 ");
    }

    /**
     * @param halfClose end the client's side after the bytes (the front then drops the connection
     *     without waiting for its read bounds, so a fuzzed request costs no timeout)
     */
    private static String exchange(byte[] bytes, boolean halfClose) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), HTTP.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(bytes);
            if (halfClose) {
                s.shutdownOutput();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0 && out.size() < 1 << 20; ) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server held a half-closed connection open for 5 s after: "
                        + new String(bytes, StandardCharsets.ISO_8859_1), e);
            } catch (IOException reset) {
                // a reset after a refusal is a way of closing
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
