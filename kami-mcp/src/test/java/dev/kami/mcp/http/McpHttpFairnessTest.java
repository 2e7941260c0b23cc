package dev.kami.mcp.http;

import static dev.kami.mcp.testkit.Rpc.MODERN_META;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Fair admission, with raw sockets: one client address cannot take every call slot (the CLI sizes
 * them from KAMI's workers), so another client's call still runs; and {@code /health/ready}
 * answers 503 when no call could be admitted.
 */
@Timeout(60)
class McpHttpFairnessTest {
    private final FakeKami kami = FakeKami.standard();
    private final List<RawHttp> open = new ArrayList<>();
    private McpServer mcp;
    private McpHttpServer http;

    @AfterEach
    void stop() throws IOException {
        for (RawHttp c : open) {
            c.close();
        }
        if (http != null) {
            http.close();
        }
        if (mcp != null) {
            mcp.close();
        }
        kami.close();
    }

    /** Starts a modern dev_test_slow call from {@code from}; returns once the server counts it. */
    private RawHttp slowCall(String from, int id) throws Exception {
        int before = mcp.inFlightCalls();
        RawHttp c = RawHttp.connect(http.port(), from);
        open.add(c);
        c.post(Rpc.request(id, "tools/call", "{" + MODERN_META + ",\"name\":\"dev_test_slow\"}"),
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: dev_test_slow");
        for (int i = 0; i < 200 && mcp.inFlightCalls() == before; i++) {
            Thread.sleep(10);
        }
        return c;
    }

    private JsonNode echo(String from) throws IOException {
        try (RawHttp c = RawHttp.connect(http.port(), from)) {
            RawHttp.Response r = c.post(Rpc.request(9, "tools/call", "{" + MODERN_META
                    + ",\"name\":\"dev_test_echo\",\"arguments\":{\"message\":\"fair\"}}"), "MCP-Protocol-Version: 2026-07-28",
                    "Mcp-Method: tools/call", "Mcp-Name: dev_test_echo").read(10_000);
            assertThat(r.status()).isEqualTo(200);
            return Rpc.body(r.header("Content-Type"), r.body());
        }
    }

    @Test
    void oneClientsLongCallsLeaveRoomForAnotherClient() throws Exception {
        mcp = McpServer.builder(kami).maxConcurrentCalls(4).maxCallsPerClient(1)
                .clientQueueWait(java.time.Duration.ofMillis(300)).build();
        http = McpHttpServer.builder(mcp).start();
        slowCall("127.0.0.1", 1);
        slowCall("127.0.0.1", 2); // waits for client A's first call, then is refused
        JsonNode b = echo("127.0.0.2");
        assertThat(b.path("result").path("isError").asBoolean()).as("client B's echo: %s", b).isFalse();
        assertThat(b.path("result").path("structuredContent").path("message").asString()).isEqualTo("fair");

        RawHttp.Response refused = open.get(1).read(10_000);
        assertThat(refused.status()).isEqualTo(200);
        JsonNode second = Rpc.body(refused.header("Content-Type"), refused.body());
        assertThat(second.path("result").path("isError").asBoolean()).isTrue();
        assertThat(second.path("result").path("content").get(0).path("text").asString()).isEqualTo("The server is busy"
                + " for this client: 1 of its calls are running, the most one client may run at once, and this call"
                + " waited 300 ms for one of them to finish; retry this call when one of them finishes.");
    }

    @Test
    void aClientsCallBeyondItsShareWaitsForItsTurnAndThenRuns() throws Exception {
        mcp = McpServer.builder(kami).maxCallsPerClient(1).build();
        http = McpHttpServer.builder(mcp).start();
        RawHttp slow = slowCall("127.0.0.1", 1);
        java.util.concurrent.CompletableFuture<JsonNode> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return echo("127.0.0.1");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int i = 0; i < 200 && mcp.inFlightCalls() < 2; i++) {
            Thread.sleep(10);
        }
        assertThat(mcp.inFlightCalls()).as("the echo holds a call slot, waiting").isEqualTo(2);
        assertThat(waiting).isNotDone();
        slow.close(); // cancels the running call: the echo's turn comes
        JsonNode echo = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(echo.path("result").path("structuredContent").path("message").asString()).isEqualTo("fair");
    }

    @Test
    void readinessIs503WhenNoCallCouldBeAdmitted() throws Exception {
        mcp = McpServer.builder(kami).maxConcurrentCalls(2).build();
        http = McpHttpServer.builder(mcp).start();
        try (RawHttp probe = RawHttp.connect(http.port(), "127.0.0.9")) {
            assertThat(probe.get("/health/ready").read(10_000).status()).isEqualTo(200);
            slowCall("127.0.0.1", 1);
            slowCall("127.0.0.2", 2);
            RawHttp.Response busy = probe.get("/health/ready").read(10_000);
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isEqualTo("1");
            assertThat(busy.body()).isEqualTo("{\"status\":\"busy\",\"callsRunning\":2,\"maxConcurrentCalls\":2}");
            assertThat(probe.get("/health").read(10_000).status()).as("liveness is unaffected").isEqualTo(200);
            open.get(0).close(); // closing a modern stream cancels its call: room again
            for (int i = 0; i < 200 && mcp.inFlightCalls() > 1; i++) {
                Thread.sleep(10);
            }
            assertThat(probe.get("/health/ready").read(10_000).status()).isEqualTo(200);
        }
    }
}
