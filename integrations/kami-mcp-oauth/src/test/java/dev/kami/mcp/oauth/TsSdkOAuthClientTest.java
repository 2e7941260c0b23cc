package dev.kami.mcp.oauth;

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
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kami.Kami;
import dev.kami.mcp.http.ToolScopes;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TypeScript MCP SDK client's own OAuth support (its {@code ClientCredentialsProvider}: 401,
 * Protected Resource Metadata, authorization server metadata, token request with the RFC 8707
 * {@code resource}, retry with the token) against KAMI as a resource server, with a test
 * authorization server on loopback that grants this client the {@code tools:echo} scope only.
 * Needs node and the SDK: set {@code KAMI_TS_SDK_DIR} to a directory holding
 * {@code node_modules/@modelcontextprotocol/sdk} ({@code npm install @modelcontextprotocol/sdk});
 * skipped with a message otherwise.
 */
@Timeout(120)
class TsSdkOAuthClientTest {
    static final String ENV = "KAMI_TS_SDK_DIR";

    @Test
    void theTsSdkClientAuthorizesWithClientCredentialsAndSeesOnlyItsTools() throws Exception {
        String sdk = System.getenv(ENV);
        Assumptions.assumeTrue(sdk != null && Files.isDirectory(Path.of(sdk, "node_modules", "@modelcontextprotocol",
                "sdk")), ENV + " is not set to a directory with node_modules/@modelcontextprotocol/sdk: the TS SDK OAuth"
                        + " client test is skipped");
        RSAKey key = new RSAKeyGenerator(2048).keyID("as-1").generate();
        HttpServer as = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String issuer = "http://127.0.0.1:" + as.getAddress().getPort();
        List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        as.createContext("/jwks.json", ex -> send(ex, 200, jwks));
        as.createContext("/.well-known/oauth-authorization-server", ex -> send(ex, 200, ("{\"issuer\":\"" + issuer
                + "\",\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks.json\","
                + "\"authorization_endpoint\":\"" + issuer + "/authorize\",\"response_types_supported\":[\"code\"],"
                + "\"grant_types_supported\":[\"client_credentials\"],"
                + "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\"]}")
                .getBytes(StandardCharsets.UTF_8)));
        as.createContext("/token", ex -> {
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            form.put("authorization", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            tokenRequests.add(form);
            String basic = "Basic " + Base64.getEncoder().encodeToString("ts-client:ts-secret"
                    .getBytes(StandardCharsets.UTF_8));
            if (!basic.equals(form.get("authorization")) || !"client_credentials".equals(form.get("grant_type"))) {
                send(ex, 401, "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            try {
                // this client may have tools:echo only, whatever it asks for
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                        .type(new JOSEObjectType("at+jwt")).build(), new JWTClaimsSet.Builder().issuer(issuer)
                                .subject("ts-client").audience(form.get("resource")).claim("scope", "tools:echo")
                                .expirationTime(new Date(System.currentTimeMillis() + 300_000)).build());
                jwt.sign(new RSASSASigner(key));
                send(ex, 200, ("{\"access_token\":\"" + jwt.serialize() + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"scope\":\"tools:echo\"}").getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                send(ex, 500, "{\"error\":\"server_error\"}".getBytes(StandardCharsets.UTF_8));
            }
        });
        as.start();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String resource = "http://127.0.0.1:" + port + "/mcp";
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        scopes.put("tools:echo", List.of("dev_kami_echo"));
        scopes.put("tools:all", List.of("dev_kami_*"));
        JwtTokenValidator v = JwtTokenValidator.builder().issuer(issuer).jwksUri(URI.create(issuer + "/jwks.json"))
                .resource(resource).toolScopes(ToolScopes.of(scopes)).build();
        Path script = Path.of("src/test/resources/ts-client/oauth-client.mjs").toAbsolutePath();
        Path copy = Path.of(sdk, "kami-oauth-client.mjs");
        Files.copy(script, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(Path.of("../../samples/tools/echo"));
            kami.install(Path.of("../../samples/tools/sha256"));
            try (Server server = kami.serve("http", new TransportConfig(Map.of("port", String.valueOf(port)),
                    Map.of("tokenValidator", v)))) {
                Process node = new ProcessBuilder("node", copy.toString(), resource, issuer, "ts-client", "ts-secret")
                        .directory(Path.of(sdk).toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(out).as("the client's report").doesNotContain("\"error\"");
                assertThat(out).contains("\"tools\":[\"dev_kami_echo\"]", "\"echo\":\"{\\\"message\\\":\\\"through oauth\\\"}\"",
                        "\"isError\":false");
                // 403 insufficient_scope makes the SDK get a new token (step-up); this authorization
                // server still grants tools:echo only, so the call stays refused
                assertThat(out).as("the sha256 call is refused for want of a scope")
                        .contains("\"sha\":\"Streamable HTTP error: Server returned 403 after trying upscoping\"");
                assertThat(tokenRequests).hasSizeGreaterThanOrEqualTo(2);
                // (SDK 1.32.2 sends no scope parameter in its client_credentials requests)
                assertThat(tokenRequests).allSatisfy(r -> assertThat(r).containsEntry("resource", resource));
                assertThat(tokenRequests.get(0)).containsEntry("grant_type", "client_credentials")
                        .containsEntry("resource", resource);
            }
        } finally {
            Files.deleteIfExists(copy);
            as.stop(0);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> m = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }
}
