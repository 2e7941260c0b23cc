package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Availability under abuse, with raw sockets: stalled requests, idle and surplus connections, a
 * session flood. While each goes on, {@code /health} and a well-behaved client (from another
 * loopback address, 127.0.0.2) are answered.
 */
@Timeout(90)
class McpHttpAbuseTest {
    private static final String GOOD = "127.0.0.2";
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).build();
    private final List<RawHttp> abusers = new ArrayList<>();
    private McpHttpServer http;

    @AfterEach
    void stop() throws IOException {
        for (RawHttp c : abusers) {
            c.close();
        }
        if (http != null) {
            http.close();
        }
        mcp.close();
        kami.close();
    }

    private RawHttp abuser() throws IOException {
        RawHttp c = RawHttp.connect(http.port());
        abusers.add(c);
        return c;
    }

    /** The well-behaved client: /health, then initialize and an echo call, each within 10 s. */
    private void wellBehavedClientIsServed() throws IOException {
        try (RawHttp c = RawHttp.connect(http.port(), GOOD)) {
            RawHttp.Response health = c.get("/health").read(10_000);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"up\"}");
            RawHttp.Response init = c.post(Rpc.initialize("2025-11-25")).read(10_000);
            assertThat(init.status()).as(init.body()).isEqualTo(200);
            String sid = init.header("Mcp-Session-Id");
            RawHttp.Response echo = c.post(Rpc.call(2, "dev_test_echo", "{\"message\":\"still here\"}"),
                    "Mcp-Session-Id: " + sid).read(10_000);
            assertThat(echo.status()).isEqualTo(200);
            assertThat(Rpc.parse(echo.body()).path("result").path("structuredContent").path("message").asString())
                    .isEqualTo("still here");
        }
    }

    @Test
    void stalledRequestsNeitherBlockHealthNorAWellBehavedClientAndAreTimedOut() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        byte[] body = Rpc.initialize("2025-11-25").getBytes(StandardCharsets.UTF_8);
        List<RawHttp> stalled = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // half a request head
            stalled.add(abuser().write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"));
        }
        for (int i = 0; i < 16; i++) { // a whole head, a tenth of the body
            RawHttp c = abuser();
            c.write(c.postHead(body.length) + "\r\n" + new String(body, 0, 10, StandardCharsets.UTF_8));
            stalled.add(c);
        }
        Thread.sleep(300);
        wellBehavedClientIsServed();
        wellBehavedClientIsServed();
    }

    @Test
    void stalledRequestsGet408WhenTheirBoundPasses() throws Exception {
        http = McpHttpServer.builder(mcp).headTimeout(java.time.Duration.ofMillis(300))
                .bodyTimeout(java.time.Duration.ofMillis(300)).start();
        byte[] body = Rpc.initialize("2025-11-25").getBytes(StandardCharsets.UTF_8);
        RawHttp head = abuser().write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty");
        RawHttp partial = abuser();
        partial.write(partial.postHead(body.length) + "\r\n" + new String(body, 0, 10, StandardCharsets.UTF_8));

        RawHttp.Response r = head.read(10_000);
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(Rpc.parse(r.body()).path("error").path("message").asString()).isEqualTo("Request timeout: the request"
                + " line and headers did not arrive within 300 ms; send the whole request at once");
        assertThat(head.closedByServer(10_000)).isTrue();

        RawHttp.Response b = partial.read(10_000);
        assertThat(b.status()).isEqualTo(408);
        assertThat(Rpc.parse(b.body()).path("error").path("message").asString()).isEqualTo("Request timeout: the body"
                + " did not arrive within 300 ms (10 bytes came of " + body.length + "); send the whole request at once");
        assertThat(partial.closedByServer(10_000)).isTrue();
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        http = McpHttpServer.builder(mcp).idleTimeout(java.time.Duration.ofMillis(300)).start();
        RawHttp silent = abuser();
        RawHttp kept = abuser();
        assertThat(kept.get("/health").read(10_000).status()).isEqualTo(200);
        assertThat(silent.closedByServer(10_000)).as("a connection that never sent a request").isTrue();
        assertThat(kept.closedByServer(10_000)).as("a keep-alive connection with no next request").isTrue();
    }

    @Test
    void connectionsPerClientAddressAreCappedWith503AndRetryAfter() throws Exception {
        http = McpHttpServer.builder(mcp).maxConnectionsPerClient(4).start();
        for (int i = 0; i < 4; i++) {
            abuser();
        }
        Thread.sleep(200);
        RawHttp fifth = abuser();
        RawHttp.Response r = fifth.read(10_000);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        assertThat(Rpc.parse(r.body()).path("error").path("message").asString()).isEqualTo("Too many connections from"
                + " 127.0.0.1: 4 are open, the limit per client address is 4; reuse a keep-alive connection or close"
                + " idle ones, then retry");
        assertThat(fifth.closedByServer(10_000)).isTrue();
        wellBehavedClientIsServed();
    }

    @Test
    void aSessionFloodIsCappedPerClientAndItsUnusedSessionsEndInSeconds() throws Exception {
        http = McpHttpServer.builder(mcp).maxSessionsPerClient(8).unusedSessionTimeout(java.time.Duration.ofSeconds(1))
                .start();
        int refused = 0;
        RawHttp.Response last = null;
        try (RawHttp flood = RawHttp.connect(http.port())) {
            for (int i = 0; i < 40; i++) {
                RawHttp.Response r = flood.post(Rpc.initialize("2025-11-25")).read(10_000);
                if (r.status() == 503) {
                    refused++;
                    last = r;
                } else {
                    assertThat(r.status()).isEqualTo(200);
                }
            }
        }
        assertThat(refused).isEqualTo(32);
        assertThat(last.header("Retry-After")).isEqualTo("1");
        JsonNodeAssert.message(last).isEqualTo("Too many sessions from 127.0.0.1: 8 are open, the limit per client"
                + " address is 8; end sessions you no longer use (DELETE) or retry in 1 s");
        assertThat(Rpc.parse(last.body()).path("id").asInt()).isZero();
        wellBehavedClientIsServed(); // another address still gets a session, and it is used

        for (int i = 0; i < 100 && http.sessionCount() > 1; i++) {
            Thread.sleep(50);
        }
        assertThat(http.sessionCount()).as("the flood's never-used sessions ended, the used one stays").isOne();
        try (RawHttp again = RawHttp.connect(http.port())) {
            assertThat(again.post(Rpc.initialize("2025-11-25")).read(10_000).status()).isEqualTo(200);
        }
    }

    @Test
    void aFullSessionTableIs503WithRetryAfter() throws Exception {
        http = McpHttpServer.builder(mcp).maxSessions(2).start();
        try (RawHttp c = RawHttp.connect(http.port())) {
            assertThat(c.post(Rpc.initialize("2025-11-25")).read(10_000).status()).isEqualTo(200);
            assertThat(c.post(Rpc.initialize("2025-11-25")).read(10_000).status()).isEqualTo(200);
            RawHttp.Response r = c.post(Rpc.initialize("2025-11-25")).read(10_000);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isEqualTo("10");
            JsonNodeAssert.message(r).isEqualTo("Too many sessions: the server holds its limit of 2; retry in 10 s"
                    + " (unused sessions end after 10000 ms)");
        }
    }

    @Test
    void slowLargeBodiesCannotFillTheHeap() throws Exception {
        http = McpHttpServer.builder(mcp).maxRequestBytes(100_000).maxBufferedBodyBytes(65_536).start();
        String part = "x".repeat(40_000);
        RawHttp first = abuser();
        first.write(first.postHead(90_000) + "\r\n" + part);
        Thread.sleep(300);
        RawHttp second = abuser();
        second.write(second.postHead(90_000) + "\r\n" + part);
        RawHttp.Response r = second.read(10_000);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        // 40000 bytes of the first body, maybe a part of the second's
        JsonNodeAssert.message(r).matches("The server holds (4\\d{4}|[56]\\d{4}) bytes of request bodies still arriving,"
                + " its limit is 65536; retry in a second");
        first.close();
        wellBehavedClientIsServed();
    }

    /** The error message of a JSON-RPC error response. */
    private static final class JsonNodeAssert {
        static org.assertj.core.api.AbstractStringAssert<?> message(RawHttp.Response r) {
            return assertThat(Rpc.parse(r.body()).path("error").path("message").asString());
        }
    }
}
