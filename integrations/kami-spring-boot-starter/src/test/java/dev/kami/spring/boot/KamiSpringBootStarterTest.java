package dev.kami.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.servlet.McpServlet;
import dev.kami.springai.KamiToolCallbackProvider;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * A real Spring Boot application (embedded Tomcat on a random port) with the starter: the echo
 * sample installed from {@code kami.tools.install}, the MCP endpoint behind a token, called by
 * the MCP Java SDK client; the health contributor and the Spring AI callbacks from the same beans.
 */
@Timeout(120)
@SpringBootTest(classes = KamiSpringBootStarterTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"kami.in-memory=true", "kami.tools.install=../../samples/tools/echo",
                "kami.mcp.token=boot-token", "kami.policy.max-memory-mb=64", "server.address=127.0.0.1"})
class KamiSpringBootStarterTest {
    private static final String TOKEN = "boot-token";

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    Kami kami;

    @Autowired
    KamiHealthIndicator health;

    @Autowired
    ToolCallbackProvider callbacks;

    @Test
    void anMcpClientCallsTheEchoSampleAtSlashMcp() {
        HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                .endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + TOKEN))
                .build();
        McpSyncClient client = McpClient.sync(t).requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30)).build();
        try {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("dev_kami_echo");
            McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder("dev_kami_echo")
                    .arguments(Map.of("message", "hello from Boot")).build());
            assertThat(r.isError()).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("hello from Boot");
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void withoutTheTokenTheEndpointAnswers401() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/mcp")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("Unauthorized: send Authorization: Bearer <token>");
    }

    @Test
    void theKamiBeanFollowsTheProperties() {
        assertThat(kami.list()).extracting(t -> t.record().id().value()).containsExactly("dev.kami.echo");
        assertThat(kami.policy().maxMemoryMb()).isEqualTo(64);
    }

    @Test
    void healthReportsTheToolsAndTheCallSlots() {
        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.UP);
        assertThat(h.getDetails()).containsEntry("tools", 1).containsKeys("engine", "callsRunning",
                "maxConcurrentCalls");
    }

    @Test
    void springAiGetsTheToolsAsCallbacks() {
        assertThat(callbacks).isInstanceOf(KamiToolCallbackProvider.class);
        ToolCallback[] all = callbacks.getToolCallbacks();
        assertThat(Arrays.stream(all).map(c -> c.getToolDefinition().name())).containsExactly("dev_kami_echo");
        assertThat(all[0].call("{\"message\":\"from Spring AI\"}")).contains("from Spring AI");
    }

    @Test
    void aTokenValidatorBeanWinsOverTheTokenProperty() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(KamiAutoConfiguration.class))
                .withPropertyValues("kami.in-memory=true", "kami.mcp.token=property-token")
                .withBean(TokenValidator.class, () -> "bean-token"::equals).run(ctx -> {
                    McpServlet servlet = ctx.getBean("kamiMcpServlet", ServletRegistrationBean.class).getServlet()
                            instanceof McpServlet m ? m : null;
                    assertThat(servlet).isNotNull();
                    assertThat(get(servlet, "property-token").getStatus()).isEqualTo(401);
                    // past the token check: a GET without a session is 405
                    assertThat(get(servlet, "bean-token").getStatus()).isEqualTo(405);
                });
    }

    private static MockHttpServletResponse get(McpServlet servlet, String token) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/mcp");
        req.addHeader("Host", "localhost");
        req.addHeader("Authorization", "Bearer " + token);
        MockHttpServletResponse resp = new MockHttpServletResponse();
        servlet.service(req, resp);
        return resp;
    }

    @Test
    void theEndpointCanBeTurnedOffOrMoved() {
        WebApplicationContextRunner web = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KamiAutoConfiguration.class))
                .withPropertyValues("kami.in-memory=true");
        web.withPropertyValues("kami.mcp.enabled=false").run(ctx -> {
            assertThat(ctx).hasSingleBean(Kami.class).doesNotHaveBean(McpServer.class)
                    .doesNotHaveBean("kamiMcpServlet");
        });
        web.withPropertyValues("kami.mcp.path=/tools/mcp").run(ctx -> {
            ServletRegistrationBean<?> r = ctx.getBean("kamiMcpServlet", ServletRegistrationBean.class);
            assertThat(r.getUrlMappings()).containsExactly("/tools/mcp");
            assertThat(r.getServlet()).isInstanceOf(McpServlet.class);
        });
        web.withPropertyValues("kami.mcp.keep-alive=5ms").run(ctx -> assertThat(ctx).hasFailed().getFailure()
                .rootCause().hasMessage("keepAlive must be at least 10 ms, got PT0.005S"));
        web.withPropertyValues("kami.mcp.path=/mcp/*").run(ctx -> assertThat(ctx).hasFailed().getFailure()
                .rootCause().hasMessage("kami.mcp.path must be a path starting with '/' and without '*', got '/mcp/*'"));
        web.withPropertyValues("kami.engine.mode=interpreter").run(ctx -> assertThat(ctx.getBean(Kami.class)
                .engineDescription()).isEqualTo("chicory (interpreter, fuel enforced)"));
        // not a web application: the Kami, no endpoint
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KamiAutoConfiguration.class))
                .withPropertyValues("kami.in-memory=true").run(ctx -> assertThat(ctx).hasSingleBean(Kami.class)
                        .doesNotHaveBean(McpServer.class));
        // a package that is not there says where it looked
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KamiAutoConfiguration.class))
                .withPropertyValues("kami.in-memory=true", "kami.tools.install=no/such/tool").run(ctx -> assertThat(ctx)
                        .hasFailed().getFailure().rootCause().hasMessageStartingWith(
                                "kami.tools.install: no tool package at 'no/such/tool'"));
    }
}
