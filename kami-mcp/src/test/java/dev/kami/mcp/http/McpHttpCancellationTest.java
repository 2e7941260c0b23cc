package dev.kami.mcp.http;

import static dev.kami.mcp.testkit.Rpc.MODERN_META;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Cancellation over HTTP, with raw sockets: every POST that carried a request is answered with
 * JSON (a cancelled call, a call whose session was deleted), never a bodiless 204; and a closed
 * 2026-07-28 response stream cancels its call as soon as the connection closes, not at the next
 * keep-alive write.
 */
@Timeout(60)
class McpHttpCancellationTest {
    private final FakeKami kami = FakeKami.standard();
    private final BlockingQueue<Duration> cancelled = new LinkedBlockingQueue<>();
    private final McpServer mcp = McpServer.builder(kami).listener(new McpServerListener() {
        @Override
        public void callCancelled(String toolName, Duration sinceCancel) {
            cancelled.add(sinceCancel);
        }
    }).build();
    private McpHttpServer http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        mcp.close();
        kami.close();
    }

    private String initSession() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            RawHttp.Response r = c.post(Rpc.initialize("2025-11-25")).read(10_000);
            assertThat(r.status()).isEqualTo(200);
            return r.header("Mcp-Session-Id");
        }
    }

    /** Starts dev_test_slow with id "s1" on its own connection; returns once the tool runs. */
    private RawHttp startSlowCall(String sid) throws Exception {
        RawHttp c = RawHttp.connect(http.port());
        c.post(Rpc.call("s1", "dev_test_slow", null), "Mcp-Session-Id: " + sid);
        for (int i = 0; i < 200 && mcp.inFlightCalls() == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(mcp.inFlightCalls()).as("the slow call runs").isEqualTo(1);
        return c;
    }

    @Test
    void aLegacyPostWhoseCallWasCancelledIsAnsweredWithJson() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        String sid = initSession();
        try (RawHttp call = startSlowCall(sid); RawHttp cancel = RawHttp.connect(http.port())) {
            RawHttp.Response ack = cancel.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":\"s1\"}}", "Mcp-Session-Id: " + sid).read(10_000);
            assertThat(ack.status()).isEqualTo(202);

            RawHttp.Response r = call.read(10_000);
            assertThat(r.status()).as("the POST that carried the call; body %s", r.body()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            JsonNode reply = Rpc.parse(r.body());
            assertThat(reply.path("id").asString()).isEqualTo("s1");
            assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32603);
            assertThat(reply.path("error").path("message").asString())
                    .isEqualTo("Request cancelled: the client cancelled it (notifications/cancelled); no result follows");
        }
        assertThat(kami.slowStoppedAtNanos).isNotZero();
    }

    @Test
    void aLegacyPostWhoseSessionWasDeletedIsAnsweredWithJson() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        String sid = initSession();
        try (RawHttp call = startSlowCall(sid); RawHttp delete = RawHttp.connect(http.port())) {
            delete.write("DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + http.port() + "\r\nMcp-Session-Id: " + sid
                    + "\r\n\r\n");
            assertThat(delete.read(10_000).status()).isEqualTo(204);

            RawHttp.Response r = call.read(10_000);
            assertThat(r.status()).as("the POST that carried the call; body %s", r.body()).isEqualTo(404);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            JsonNode reply = Rpc.parse(r.body());
            assertThat(reply.path("id").asString()).isEqualTo("s1");
            assertThat(reply.path("error").path("message").asString()).isEqualTo("Session ended while this request"
                    + " ran (deleted, expired or the server stopped): the request was cancelled; call initialize to start"
                    + " a new session and retry");
        }
    }

    @Test
    void closingAModernResponseStreamCancelsItsCallWhenTheConnectionCloses() throws Exception {
        // keep-alive writes once a minute: only the closed connection itself can tell the server
        http = McpHttpServer.builder(mcp).keepAlive(Duration.ofSeconds(60)).start();
        String body = Rpc.request(1, "tools/call", "{" + MODERN_META + ",\"name\":\"dev_test_slow\"}");
        long closedAt;
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.post(body, "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: dev_test_slow");
            for (int i = 0; i < 200 && mcp.inFlightCalls() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(mcp.inFlightCalls()).as("the slow call runs").isEqualTo(1);
            closedAt = System.nanoTime();
        }
        assertThat(cancelled.poll(10, TimeUnit.SECONDS)).as("the call was cancelled by the closed stream").isNotNull();
        assertThat(kami.slowStoppedAtNanos).isNotZero();
        System.err.printf("closed stream to stopped tool: %.1f ms%n", (kami.slowStoppedAtNanos - closedAt) / 1e6);
        for (int i = 0; i < 200 && mcp.inFlightCalls() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(mcp.inFlightCalls()).isZero();
    }
}
