package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class McpHttpAuthTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).build();
    private final McpHttpServer http = McpHttpServer.builder(mcp).tokenValidator(t -> t.equals("good")).start();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        http.close();
        mcp.close();
        kami.close();
    }

    private HttpResponse<String> post(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.address())).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Rpc.initialize("2025-11-25")));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMissingTokenIs401WithABearerChallenge() throws Exception {
        HttpResponse<String> r = post(null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer ");
        assertThat(post("Basic Zm9vOmJhcg==").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongTokenIs401WithInvalidToken() throws Exception {
        HttpResponse<String> r = post("Bearer bad");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    }

    @Test
    void theRightTokenPassesAndHealthNeedsNone() throws Exception {
        assertThat(post("Bearer good").statusCode()).isEqualTo(200);
        HttpResponse<String> h = client.send(HttpRequest.newBuilder(URI.create(http.address()).resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h.statusCode()).isEqualTo(200);
    }

    @Test
    void constantValidatorComparesExactly() {
        TokenValidator v = TokenValidator.constant("s3cret");
        assertThat(v.isValid("s3cret")).isTrue();
        assertThat(v.isValid("s3cre")).isFalse();
        assertThat(v.isValid("s3cret ")).isFalse();
    }
}
