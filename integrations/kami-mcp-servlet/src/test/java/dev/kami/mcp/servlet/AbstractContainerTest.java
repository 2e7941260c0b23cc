package dev.kami.mcp.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The servlet transport in a real container: the MCP Java SDK client (legacy sessions, the GET
 * stream) and raw HTTP (2026-07-28 requests, the security checks, cancellation by a closed
 * stream). A real in-memory Kami with the echo sample and a looping tool; two endpoints: {@code /mcp}
 * (4 KiB requests, no token) and {@code /secure} (a bearer token). Subclasses start the container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractContainerTest {
    static final String TOKEN = "s3cret-token";
    static final String MODERN_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Kami kami;
    private McpServer mcp;
    private McpServlet open;
    private McpServlet secure;
    private int port;

    /** Starts the container on an ephemeral loopback port with {@code servlets} by path (async supported). */
    abstract int startContainer(Map<String, McpServlet> servlets) throws Exception;

    abstract void stopContainer() throws Exception;

    @BeforeAll
    void start() throws Exception {
        kami = Kami.builder().inMemory().build();
        kami.install(Path.of("../../samples/tools/echo"));
        kami.install(resource("tools/loop"));
        mcp = McpServer.builder(kami).listener(new McpServerListener() {
            @Override
            public void callStarted(String toolName) {
                started.add(toolName);
            }

            @Override
            public void callCancelled(String toolName, Duration sinceCancel) {
                cancelled.add(toolName);
            }
        }).build();
        open = McpServlet.builder(mcp).maxRequestBytes(4096).keepAlive(Duration.ofMillis(50)).build();
        secure = McpServlet.builder(mcp).tokenValidator(TokenValidator.constant(TOKEN)).build();
        port = startContainer(Map.of("/mcp", open, "/secure", secure));
    }

    @AfterAll
    void stop() throws Exception {
        open.destroy();
        secure.destroy();
        mcp.close();
        kami.close(); // before the container stops, so that Tomcat finds no thread left behind
        stopContainer();
    }

    private static Path resource(String dir) {
        try {
            return Path.of(Objects.requireNonNull(AbstractContainerTest.class.getResource("/" + dir + "/tool.toml"),
                    dir).toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private McpSyncClient sdkClient(List<List<McpSchema.Tool>> changes) {
        HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                .endpoint("/mcp").build();
        McpSyncClient c = McpClient.sync(t).requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30)).toolsChangeConsumer(changes::add).build();
        c.initialize();
        return c;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String modernCall(int id, String tool, String args) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{" + MODERN_META
                + ",\"name\":\"" + tool + "\",\"arguments\":" + args + "}}";
    }

    private HttpRequest.Builder modern(String path, String tool, String body) {
        return post(path, body).header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call")
                .header("Mcp-Name", tool);
    }

    // ---- a real MCP client --------------------------------------------------------------------

    @Test
    void theSdkClientListsAndCallsTheEchoSample() {
        McpSyncClient client = sdkClient(new CopyOnWriteArrayList<>());
        try {
            assertThat(client.getCurrentInitializationResult().protocolVersion()).isEqualTo("2025-11-25");
            assertThat(client.getCurrentInitializationResult().serverInfo().name()).isEqualTo("kami");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .contains("dev_kami_echo", "dev_mcp_loop");
            McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder("dev_kami_echo")
                    .arguments(Map.of("message", "hello from a servlet")).build());
            assertThat(r.isError()).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("hello from a servlet");
            assertThat(open.sessionCount()).isGreaterThanOrEqualTo(1);
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void theSdkClientHearsOfAnInstalledToolOnItsGetStream() throws Exception {
        List<List<McpSchema.Tool>> changes = new CopyOnWriteArrayList<>();
        McpSyncClient client = sdkClient(changes);
        try {
            Path pkg = Files.createTempDirectory("kami-servlet-installed");
            Path echo = Path.of("../../samples/tools/echo");
            Files.copy(echo.resolve("echo.wasm"), pkg.resolve("echo.wasm"));
            Files.writeString(pkg.resolve("tool.toml"), Files.readString(echo.resolve("tool.toml"))
                    .replace("dev.kami.echo", "dev.servlet.installed"));
            kami.install(pkg);
            // the GET stream opens after initialize: if it was not open yet, change the list again
            for (int i = 1; i < 500 && !heard(changes, "dev_servlet_installed"); i++) {
                if (i % 100 == 0) {
                    kami.disable("dev.servlet.installed");
                    kami.enable("dev.servlet.installed");
                }
                Thread.sleep(10);
            }
            assertThat(heard(changes, "dev_servlet_installed"))
                    .as("notifications/tools/list_changed received on the GET stream: " + changes).isTrue();
        } finally {
            client.closeGracefully();
        }
    }

    private static boolean heard(List<List<McpSchema.Tool>> changes, String tool) {
        return changes.stream().anyMatch(l -> l.stream().anyMatch(t -> t.name().equals(tool)));
    }

    // ---- 2026-07-28 requests ------------------------------------------------------------------

    @Test
    void aModernStatelessCallIsAnsweredWithJson() throws Exception {
        HttpResponse<String> r = send(modern("/mcp", "dev_kami_echo", modernCall(7, "dev_kami_echo",
                "{\"message\":\"stateless\"}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
        assertThat(r.body()).contains("\"id\":7").contains("stateless").doesNotContain("\"error\"");
    }

    @Test
    void aModernRequestWhoseHeadersDisagreeWithItsBodyIs400() throws Exception {
        HttpResponse<String> r = send(modern("/mcp", "dev_mcp_loop", modernCall(8, "dev_kami_echo",
                "{\"message\":\"x\"}")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("-32020")
                .contains("Mcp-Name header value 'dev_mcp_loop' does not match body value 'dev_kami_echo'");
    }

    @Test
    void aNotificationIsAccepted202() throws Exception {
        HttpResponse<String> r = send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
                + MODERN_META + ",\"requestId\":1}}").header("MCP-Protocol-Version", "2026-07-28"));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void closingAModernResponseStreamCancelsItsCall() throws Exception {
        started.clear();
        cancelled.clear();
        String body = modernCall(9, "dev_mcp_loop", "{}");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
                    + "Mcp-Method: tools/call\r\nMcp-Name: dev_mcp_loop\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            assertThat(started.poll(10, TimeUnit.SECONDS)).isEqualTo("dev_mcp_loop");
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("text/event-stream");
        }
        long closedAt = System.nanoTime();
        assertThat(cancelled.poll(10, TimeUnit.SECONDS)).as("the closed stream cancelled the call")
                .isEqualTo("dev_mcp_loop");
        // seen at the next keep-alive write (50 ms here) or when the container reports the close
        System.err.printf("KAMI-TEST %s: closed stream to cancelled call %.1f ms%n", getClass().getSimpleName(),
                (System.nanoTime() - closedAt) / 1e6);
    }

    @Test
    void aListenStreamCarriesTheAcknowledgmentAndListChanged() throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":\"L\",\"method\":\"subscriptions/listen\",\"params\":{" + MODERN_META
                + ",\"notifications\":{\"toolsListChanged\":true}}}";
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000); // a read never hangs the test
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
                    + "Mcp-Method: subscriptions/listen\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertThat(status).startsWith("HTTP/1.1 200");
            String ack = nextData(in, 10);
            assertThat(ack).contains("\"method\":\"notifications/subscriptions/acknowledged\"");
            // the acknowledgment may reach us before the subscription is registered: change the
            // list until a change is heard
            String changed = null;
            for (int i = 0; i < 10 && changed == null; i++) {
                kami.disable("dev.kami.echo");
                kami.enable("dev.kami.echo");
                changed = nextData(in, 1);
            }
            assertThat(changed).as("list_changed on the listen stream").isNotNull()
                    .contains("\"method\":\"notifications/tools/list_changed\"")
                    .contains("\"io.modelcontextprotocol/subscriptionId\":\"L\"");
        }
    }

    /** @return the next SSE data line, or null when none comes within {@code seconds} */
    private static String nextData(BufferedReader in, int seconds) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - until < 0) {
            String line;
            try {
                line = in.readLine();
            } catch (java.net.SocketTimeoutException e) {
                continue;
            }
            if (line == null) {
                throw new AssertionError("the stream ended");
            }
            if (line.startsWith("data: ")) {
                return line.substring(6);
            }
        }
        return null;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new UncheckedIOException(new IOException("connection closed after: " + b));
            }
            b.append((char) c);
        }
        return b.toString();
    }

    // ---- security checks ----------------------------------------------------------------------

    @Test
    void aForeignOriginIs403() throws Exception {
        HttpResponse<String> r = send(modern("/mcp", "dev_kami_echo", modernCall(1, "dev_kami_echo",
                "{\"message\":\"x\"}")).header("Origin", "https://evil.example"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Forbidden: Host or Origin is not allowed");
    }

    @Test
    void aLocalOriginIsAllowed() throws Exception {
        HttpResponse<String> r = send(modern("/mcp", "dev_kami_echo", modernCall(1, "dev_kami_echo",
                "{\"message\":\"x\"}")).header("Origin", "http://localhost:3000"));
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void withATokenConfiguredARequestWithoutOneIs401() throws Exception {
        HttpResponse<String> none = send(modern("/secure", "dev_kami_echo", modernCall(1, "dev_kami_echo",
                "{\"message\":\"x\"}")));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        assertThat(none.body()).contains("Unauthorized: send Authorization: Bearer <token>");
        HttpResponse<String> wrong = send(modern("/secure", "dev_kami_echo", modernCall(1, "dev_kami_echo",
                "{\"message\":\"x\"}")).header("Authorization", "Bearer nope"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Unauthorized: the bearer token is not valid");
        HttpResponse<String> good = send(modern("/secure", "dev_kami_echo", modernCall(1, "dev_kami_echo",
                "{\"message\":\"authorized\"}")).header("Authorization", "Bearer " + TOKEN));
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.body()).contains("authorized");
    }

    @Test
    void anOversizeBodyIs413DeclaredOrChunked() throws Exception {
        String big = modernCall(1, "dev_kami_echo", "{\"message\":\"" + "x".repeat(8000) + "\"}");
        HttpResponse<String> declared = send(modern("/mcp", "dev_kami_echo", big));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("this endpoint accepts at most 4096; send a smaller message");
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = send(modern("/mcp", "dev_kami_echo", "").POST(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("this endpoint accepts at most 4096; send a smaller message");
    }

    // ---- legacy sessions by hand --------------------------------------------------------------

    @Test
    void aLegacySessionLivesUntilDeleted() throws Exception {
        HttpResponse<String> init = send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\","
                + "\"version\":\"1\"}}}"));
        assertThat(init.statusCode()).isEqualTo(200);
        assertThat(init.body()).contains("\"protocolVersion\":\"2025-06-18\"");
        String sid = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-06-18"));
        assertThat(initialized.statusCode()).isEqualTo(202);
        assertThat(initialized.body()).isEmpty();
        HttpResponse<String> call = send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"dev_kami_echo\",\"arguments\":{\"message\":\"legacy\"}}}")
                .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-06-18"));
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.body()).contains("\"id\":2").contains("legacy");
        HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/mcp")).DELETE().header("Mcp-Session-Id", sid));
        assertThat(delete.statusCode()).isEqualTo(204);
        HttpResponse<String> after = send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}")
                .header("Mcp-Session-Id", sid));
        assertThat(after.statusCode()).isEqualTo(404);
        assertThat(after.body()).contains("Session not found");
    }

    @Test
    void aGetWithoutASessionIs405() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/mcp")).GET().header("Accept", "text/event-stream"));
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow").orElse("")).isEqualTo("POST, DELETE");
    }
}
