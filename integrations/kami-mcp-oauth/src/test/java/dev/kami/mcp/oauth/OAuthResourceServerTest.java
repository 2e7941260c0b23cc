package dev.kami.mcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.http.ToolScopes;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP transport of a real Kami (echo and sha256 samples) as an OAuth resource server, with
 * tokens from a test issuer on loopback, over real HTTP.
 */
@Timeout(60)
class OAuthResourceServerTest {
    static final String RESOURCE = "https://mcp.example.test/mcp";
    static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}";

    private final TestIssuer issuer = newIssuer();
    private final Kami kami = Kami.builder().inMemory().build();
    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;

    private static TestIssuer newIssuer() {
        try {
            return new TestIssuer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        kami.close();
        issuer.close();
    }

    private void start(TokenValidator v) {
        kami.install(Path.of("../../samples/tools/echo"));
        kami.install(Path.of("../../samples/tools/sha256"));
        server = kami.serve("http", new TransportConfig(Map.of("port", "0"), Map.of("tokenValidator", v)));
    }

    private JwtTokenValidator jwt() {
        return JwtTokenValidator.builder().issuer(issuer.issuer()).jwksUri(issuer.jwksUri()).resource(RESOURCE)
                .resourceName("KAMI test tools")
                .toolScopes(ToolScopes.of(scopes())).build();
    }

    private static Map<String, List<String>> scopes() {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        m.put("tools:echo", List.of("dev_kami_echo"));
        m.put("tools:all", List.of("dev_kami_*"));
        return m;
    }

    private HttpResponse<String> modern(String token, String method, String name, String params) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.address()))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method
                        + "\",\"params\":{" + META + (params == null ? "" : "," + params) + "}}"));
        if (name != null) {
            b.header("Mcp-Name", name);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String token, String tool, String args) throws Exception {
        return modern(token, "tools/call", tool, "\"name\":\"" + tool + "\",\"arguments\":" + args);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.address()).resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutATokenTheChallengeNamesTheResourceMetadataWhichIsServed() throws Exception {
        start(jwt());
        HttpResponse<String> r = modern(null, "tools/list", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer resource_metadata="
                + "\"https://mcp.example.test/.well-known/oauth-protected-resource\", scope=\"tools:echo tools:all\"");
        String doc = "{\"resource\":\"" + RESOURCE + "\",\"authorization_servers\":[\"" + issuer.issuer()
                + "\"],\"scopes_supported\":[\"tools:echo\",\"tools:all\"],\"bearer_methods_supported\":[\"header\"],"
                + "\"resource_name\":\"KAMI test tools\"}";
        for (String path : List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")) {
            HttpResponse<String> m = get(path);
            assertThat(m.statusCode()).as(path).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
            assertThat(m.body()).isEqualTo(doc);
        }
        assertThat(get("/.well-known/oauth-protected-resource/other").statusCode()).isEqualTo(404);
    }

    @Test
    void badTokensAre401WithInvalidTokenAndWhatWasWrong() throws Exception {
        start(jwt());
        HttpResponse<String> r = modern(issuer.token("https://other.example.test/mcp", "tools:all"), "tools/list", null,
                null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer resource_metadata="
                + "\"https://mcp.example.test/.well-known/oauth-protected-resource\", error=\"invalid_token\","
                + " error_description=\"the token's audience [https://other.example.test/mcp] does not include this"
                + " server's resource 'https://mcp.example.test/mcp'; ask the authorization server for a token with"
                + " resource=https://mcp.example.test/mcp\"");
        assertThat(r.body()).contains("Unauthorized: the token's audience [https://other.example.test/mcp]");
        assertThat(r.body()).doesNotContain("java.", "com.", "dev.kami");
    }

    @Test
    void aToolCallWithoutItsScopeIs403InsufficientScopeAndToolsListShowsOnlyPermittedTools() throws Exception {
        start(jwt());
        String echoOnly = issuer.token(RESOURCE, "tools:echo");
        HttpResponse<String> denied = call(echoOnly, "dev_kami_sha256", "{\"data\":\"abc\"}");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer resource_metadata="
                + "\"https://mcp.example.test/.well-known/oauth-protected-resource\", error=\"insufficient_scope\","
                + " scope=\"tools:all\", error_description=\"the tool 'dev_kami_sha256' needs another scope\"");
        assertThat(denied.body()).contains("Forbidden: the tool 'dev_kami_sha256' needs the scope 'tools:all', which the token"
                + " does not grant; authorize again asking for it");

        HttpResponse<String> echo = call(echoOnly, "dev_kami_echo", "{\"message\":\"hi\"}");
        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        assertThat(echo.body()).contains("\"isError\":false").contains("hi");

        HttpResponse<String> list = modern(echoOnly, "tools/list", null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"name\":\"dev_kami_echo\"").doesNotContain("\"name\":\"dev_kami_sha256\"");

        String all = issuer.token(RESOURCE, "tools:all");
        assertThat(modern(all, "tools/list", null, null).body()).contains("\"name\":\"dev_kami_echo\"", "\"name\":\"dev_kami_sha256\"");
        HttpResponse<String> sha = call(all, "dev_kami_sha256", "{\"data\":\"abc\"}");
        assertThat(sha.statusCode()).isEqualTo(200);
        assertThat(sha.body()).contains("\"isError\":false");

        HttpResponse<String> none = call(issuer.token(RESOURCE, "profile"), "dev_kami_echo", "{\"message\":\"hi\"}");
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"tools:echo\"");
    }

    @Test
    void aLegacySessionListsAndCallsByTheScopesOfEachRequestsToken() throws Exception {
        start(jwt());
        String echoOnly = issuer.token(RESOURCE, "tools:echo");
        HttpResponse<String> init = legacy(echoOnly, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
                + "\"version\":\"1\"}}}");
        assertThat(init.statusCode()).isEqualTo(200);
        String sid = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(legacy(echoOnly, sid, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode())
                .isEqualTo(202);
        String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
        assertThat(legacy(echoOnly, sid, list).body()).contains("\"name\":\"dev_kami_echo\"").doesNotContain("dev_kami_sha256");
        assertThat(legacy(echoOnly, sid, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"sha256\",\"arguments\":{\"data\":\"a\"}}}").statusCode()).isEqualTo(403);
        // step-up: the same session with a token of more scopes sees more
        assertThat(legacy(issuer.token(RESOURCE, "tools:all"), sid, list).body()).contains("\"name\":\"dev_kami_sha256\"");
    }

    private HttpResponse<String> legacy(String token, String sid, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.address()))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body));
        if (sid != null) {
            b.header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStaticTokenStillWorksThroughTheSameValidatorSlot() throws Exception {
        start(TokenValidator.constant("s3cret"));
        HttpResponse<String> r = modern("wrong", "tools/list", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .isEqualTo("Bearer realm=\"kami-mcp\", error=\"invalid_token\"");
        assertThat(modern("s3cret", "tools/list", null, null).body()).contains("\"name\":\"dev_kami_sha256\"");
        assertThat(call("s3cret", "dev_kami_sha256", "{\"data\":\"abc\"}").statusCode()).isEqualTo(200);
        assertThat(get("/.well-known/oauth-protected-resource").statusCode()).isEqualTo(404);
    }
}
