package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kami serve --transport http} as an OAuth resource server, configured from config.toml's
 * {@code [oauth]} and the {@code --oauth-scope} flag, with tokens of a test issuer on loopback.
 */
@Timeout(120)
class CliOAuthServeTest {
    static final String RESOURCE = "https://mcp.example.test/mcp";

    @TempDir
    Path home;

    @Test
    void theJarChecksJwtAccessTokensAgainstTheIssuersKeysAndScopes() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        HttpServer issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer.createContext("/jwks.json", ex -> {
            ex.sendResponseHeaders(200, jwks.length);
            ex.getResponseBody().write(jwks);
            ex.close();
        });
        issuer.start();
        String iss = "http://127.0.0.1:" + issuer.getAddress().getPort();
        try {
            KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
            KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("sha256").toString()).expect(0);
            Files.writeString(home.resolve(CliConfig.FILE), "[oauth]\nissuer = \"" + iss + "\"\njwks_url = \"" + iss
                    + "/jwks.json\"\nresource = \"" + RESOURCE + "\"\n[oauth.scopes]\n\"tools:all\" = [\"*\"]\n");
            try (ServedNode node = new ServedNode(home, "--oauth-scope", "tools:echo=dev_kami_echo")) {
                assertThat(node.banner).contains("; OAuth access tokens of " + iss + " for " + RESOURCE
                        + ", metadata at https://mcp.example.test/.well-known/oauth-protected-resource");
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> none = call(http, node, null, "dev_kami_echo");
                assertThat(none.statusCode()).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer"
                        + " resource_metadata=\"https://mcp.example.test/.well-known/oauth-protected-resource\","
                        + " scope=\"tools:echo\"");
                HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create(node.address
                        + "/.well-known/oauth-protected-resource")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(meta.body()).isEqualTo("{\"resource\":\"" + RESOURCE + "\",\"authorization_servers\":[\"" + iss
                        + "\"],\"scopes_supported\":[\"tools:echo\"],\"bearer_methods_supported\":[\"header\"]}");

                String echoToken = token(key, iss, RESOURCE, "tools:echo");
                HttpResponse<String> ok = call(http, node, echoToken, "dev_kami_echo");
                assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                assertThat(ok.body()).contains("from the cli").contains("\"isError\":false");
                // the flag replaced [oauth.scopes]: no scope grants sha256 any more
                HttpResponse<String> denied = call(http, node, echoToken, "dev_kami_sha256");
                assertThat(denied.statusCode()).isEqualTo(403);
                assertThat(denied.body()).contains("Forbidden: no scope grants the tool 'dev_kami_sha256' on this"
                        + " server; ask its operator to map one to it");
                HttpResponse<String> wrongAudience = call(http, node, token(key, iss, "https://elsewhere.test/mcp",
                        "tools:echo"), "dev_kami_echo");
                assertThat(wrongAudience.statusCode()).isEqualTo(401);
                assertThat(wrongAudience.headers().firstValue("WWW-Authenticate").orElseThrow())
                        .contains("error=\"invalid_token\"");
            }
        } finally {
            issuer.stop(0);
        }
        KamiRunner.Result bad = KamiRunner.inProcess(home, "serve", "--transport", "http", "--port", "0",
                "--oauth-resource", "not a uri");
        assertThat(bad.err()).contains("OAuth settings: the resource URI 'not a uri' is not a URI");
    }

    private static HttpResponse<String> call(HttpClient http, ServedNode node, String token, String tool)
            throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{\"message\":\"from the cli\",\"data\":\"x\"},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\""
                + ":{},\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.address + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String token(RSAKey key, String issuer, String audience, String scope) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder().issuer(issuer).subject("cli")
                        .audience(List.of(audience)).claim("scope", scope)
                        .expirationTime(new Date(System.currentTimeMillis() + 300_000)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
