package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class McpHttpSessionLimitsTest {
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

    private HttpResponse<String> post(String body, String sid) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.address())).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (sid != null) {
            b.header("Mcp-Session-Id", sid);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sessionsBeyondTheLimitAre503() throws Exception {
        http = McpHttpServer.builder(mcp).maxSessions(2).start();
        assertThat(post(Rpc.initialize("2025-11-25"), null).statusCode()).isEqualTo(200);
        assertThat(post(Rpc.initialize("2025-11-25"), null).statusCode()).isEqualTo(200);
        assertThat(post(Rpc.initialize("2025-11-25"), null).statusCode()).isEqualTo(503);
        assertThat(http.sessionCount()).isEqualTo(2);
    }

    @Test
    void aFailedInitializeMintsNoSession() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        HttpResponse<String> r = post(Rpc.request(1, "initialize", "{}"), null);
        assertThat(Rpc.errorCode(Rpc.parse(r.body()))).isEqualTo(-32602);
        assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
        assertThat(http.sessionCount()).isZero();
    }

    @Test
    void idleSessionsExpire() throws Exception {
        http = McpHttpServer.builder(mcp).sessionIdleTimeout(Duration.ofMillis(300)).start();
        String sid = post(Rpc.initialize("2025-11-25"), null).headers().firstValue("Mcp-Session-Id").orElseThrow();
        for (int i = 0; i < 100 && http.sessionCount() > 0; i++) {
            Thread.sleep(50);
        }
        assertThat(http.sessionCount()).isZero();
        assertThat(post(Rpc.request(2, "ping", null), sid).statusCode()).isEqualTo(404);
    }

    @Test
    void closingTheServerCancelsRunningCalls() throws Exception {
        http = McpHttpServer.builder(mcp).start();
        String sid = post(Rpc.initialize("2025-11-25"), null).headers().firstValue("Mcp-Session-Id").orElseThrow();
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return post(Rpc.call(1, "dev_test_slow", null), sid);
            } catch (Exception e) {
                return null;
            }
        });
        for (int i = 0; i < 100 && mcp.inFlightCalls() == 0; i++) {
            Thread.sleep(20);
        }
        assertThat(mcp.inFlightCalls()).isEqualTo(1);
        http.close();
        for (int i = 0; i < 100 && kami.slowStoppedAtNanos == 0; i++) {
            Thread.sleep(20);
        }
        assertThat(kami.slowStoppedAtNanos).isNotZero();
        slow.get(10, TimeUnit.SECONDS);
    }
}
