package dev.kami.mcp.http;

import static dev.kami.mcp.testkit.Rpc.MODERN_META;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the server ends its open SSE streams properly, so clients read a complete response
 * rather than a reset: a modern request still running gets a JSON-RPC error saying the server is
 * shutting down, and a legacy session's GET stream simply ends.
 */
@Timeout(30)
class McpHttpShutdownTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private McpHttpServer http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        mcp.close();
        kami.close();
    }

    private HttpRequest.Builder post(String body) {
        return HttpRequest.newBuilder(URI.create(http.address())).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void aModernCallStillRunningGetsAnErrorOnItsStreamAndTheCallIsCancelled() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        String body = Rpc.request(41, "tools/call", "{" + MODERN_META + ",\"name\":\"dev_test_slow\",\"arguments\":{}}");
        HttpResponse<InputStream> r = client.send(post(body).header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call").header("Mcp-Name", "dev_test_slow").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
        assertThat(mcp.inFlightCalls()).isEqualTo(1);

        http.close();

        // the whole stream reads without an exception: it was ended, not reset
        String stream = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        String data = stream.lines().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow()
                .substring(6);
        assertThat(Rpc.parse(data).path("id").asInt()).isEqualTo(41);
        assertThat(Rpc.errorCode(Rpc.parse(data))).isEqualTo(-32603);
        assertThat(Rpc.parse(data).path("error").path("message").asString()).contains("shutting down")
                .contains("retry");
        for (int i = 0; i < 100 && kami.slowStoppedAtNanos == 0; i++) {
            Thread.sleep(20);
        }
        assertThat(kami.slowStoppedAtNanos).as("the running call was cancelled").isNotZero();
    }

    private void awaitInFlight(int n) throws InterruptedException {
        for (int i = 0; i < 250 && mcp.inFlightCalls() < n; i++) {
            Thread.sleep(20);
        }
        assertThat(mcp.inFlightCalls()).isEqualTo(n);
    }

    private static void assertShuttingDownError(String json, int id) {
        assertThat(Rpc.parse(json).path("id").asInt()).as(json).isEqualTo(id);
        assertThat(Rpc.errorCode(Rpc.parse(json))).isEqualTo(-32603);
        assertThat(Rpc.parse(json).path("error").path("message").asString()).contains("shutting down");
    }

    @Test
    void runningCallsAnsweredWithPlainJsonGetAShuttingDownErrorInBothEras() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        // modern, JSON only
        String modern = Rpc.request(42, "tools/call", "{" + MODERN_META + ",\"name\":\"dev_test_slow\",\"arguments\":{}}");
        var modernReply = client.sendAsync(post(modern).setHeader("Accept", "application/json")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call")
                .header("Mcp-Name", "dev_test_slow").build(), HttpResponse.BodyHandlers.ofString());
        // legacy, in a session
        String sid = client.send(post(Rpc.initialize("2025-11-25")).build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("Mcp-Session-Id").orElseThrow();
        var legacyReply = client.sendAsync(post(Rpc.call(43, "dev_test_slow", null)).setHeader("Accept", "application/json")
                .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25").build(),
                HttpResponse.BodyHandlers.ofString());
        awaitInFlight(2);

        http.close();

        HttpResponse<String> m = modernReply.get(10, TimeUnit.SECONDS);
        assertThat(m.statusCode()).isEqualTo(500);
        assertShuttingDownError(m.body(), 42);
        HttpResponse<String> l = legacyReply.get(10, TimeUnit.SECONDS);
        assertThat(l.statusCode()).isEqualTo(200); // legacy JSON-RPC errors travel with 200
        assertShuttingDownError(l.body(), 43);
    }

    @Test
    void aSubscriptionStreamEndsWithItsCompletionResult() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        String body = Rpc.request("L", "subscriptions/listen", "{" + MODERN_META
                + ",\"notifications\":{\"toolsListChanged\":true}}");
        HttpResponse<InputStream> r = client.send(post(body).header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "subscriptions/listen").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        InputStream in = r.body();
        assertThat(in.read()).isEqualTo(':'); // the stream is open

        http.close();

        String stream = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String last = stream.lines().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow()
                .substring(6);
        assertThat(Rpc.parse(last).path("id").asString()).isEqualTo("L");
        assertThat(Rpc.parse(last).has("result")).as(last).isTrue();
        assertThat(Rpc.parse(last).path("result").path("_meta").path("io.modelcontextprotocol/subscriptionId")
                .asString()).isEqualTo("L");
    }

    @Test
    void aLegacySessionsGetStreamEndsCleanly() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        HttpResponse<String> init = client.send(post(Rpc.initialize("2025-11-25")).build(),
                HttpResponse.BodyHandlers.ofString());
        String sid = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(http.address()))
                .header("Mcp-Session-Id", sid).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        InputStream in = stream.body();
        assertThat(in.read()).isEqualTo(':'); // the opening comment: the stream is live

        long start = System.nanoTime();
        http.close();
        in.readAllBytes(); // ends without an exception
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        assertThat(http.sessionCount()).isZero();
    }
}
