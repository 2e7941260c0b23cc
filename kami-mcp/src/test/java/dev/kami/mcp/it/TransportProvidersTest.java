package dev.kami.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ConfigurationException;
import dev.kami.Kami;
import dev.kami.mcp.http.HttpTransportProvider;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.stdio.StdioTransportProvider;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import dev.kami.spi.TransportProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TransportProvidersTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void bothTransportsAreFoundByServiceLoader() {
        List<String> ids = ServiceLoader.load(TransportProvider.class).stream().map(p -> p.get().id()).toList();
        assertThat(ids).contains("stdio", "http");
        assertThat(new StdioTransportProvider().id()).isEqualTo("stdio");
    }

    @Test
    void httpProviderAppliesItsOptions() throws Exception {
        try (FakeKami kami = FakeKami.standard();
                Server server = new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0", "token", "s3cret",
                        "pageSize", "2", "serverName", "custom")))) {
            assertThat(server.address()).matches("http://127\\.0\\.0\\.1:\\d+/mcp");
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.address())).header("Content-Type", "application/json")
                    .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(Rpc.initialize("2025-11-25")));
            assertThat(client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> ok = client.send(b.header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(Rpc.parse(ok.body()).path("result").path("serverInfo").path("name").asString()).isEqualTo("custom");
        }
    }

    @Test
    void httpProviderTakesAValidatorExtension() throws Exception {
        TokenValidator v = t -> t.equals("from-extension");
        try (FakeKami kami = FakeKami.standard();
                Server server = new HttpTransportProvider().start(kami, new TransportConfig(Map.of("port", "0"),
                        Map.of("tokenValidator", v)))) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(server.address())).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer from-extension")
                    .POST(HttpRequest.BodyPublishers.ofString(Rpc.initialize("2025-11-25"))).build();
            assertThat(client.send(r, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void badOptionsAreConfigurationErrorsNamingTheOption() {
        try (FakeKami kami = FakeKami.standard()) {
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "http"))))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("port");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "supportedVersions", "1999-01-01"))))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("1999-01-01");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "queueCapacity", "0"))))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("queueCapacity");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "threads", "1"))))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("threads");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "maxSessionsPerClient", "0"))))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("option maxSessionsPerClient=0 is out of range [1, 1000000]");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "headTimeoutMs", "soon"))))
                    .isInstanceOf(ConfigurationException.class).hasMessage("option headTimeoutMs='soon' is not a number");
            assertThatThrownBy(() -> new HttpTransportProvider().start(kami, TransportConfig.of(Map.of("port", "0",
                    "maxCallsPerClient", "0"))))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxCallsPerClient");
        }
    }

    @Test
    void theRealKamiServesHttpThroughItsTransportLookup() throws Exception {
        try (Kami kami = RealKami.withTools(); Server server = kami.serve("http", TransportConfig.of(Map.of("port", "0")))) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(server.address())).header("Content-Type", "application/json")
                    .header("Accept", "application/json").header("MCP-Protocol-Version", "2026-07-28")
                    .header("Mcp-Method", "tools/call").header("Mcp-Name", "dev_mcp_echo")
                    .POST(HttpRequest.BodyPublishers.ofString(Rpc.request(1, "tools/call", "{" + Rpc.MODERN_META
                            + ",\"name\":\"dev_mcp_echo\",\"arguments\":{\"message\":\"real\"}}")))
                    .build();
            HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(Rpc.body(resp).path("result").path("structuredContent").path("message").asString()).isEqualTo("real");
        }
    }
}
