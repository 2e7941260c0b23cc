package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code kami serve} over stdio answers the official MCP Java SDK client; stdout carries MCP only. */
@Timeout(300)
class CliServeStdioTest {
    @TempDir
    Path home;

    @Test
    void officialClientInitializesListsAndCallsEcho() {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
        List<String> cmd = KamiRunner.javaCommand();
        List<String> args = new ArrayList<>(cmd.subList(1, cmd.size()));
        args.addAll(List.of("--home", home.toString(), "serve"));
        ServerParameters params = ServerParameters.builder(cmd.get(0)).args(args).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        List<String> stderr = new CopyOnWriteArrayList<>();
        transport.setStdErrorHandler(stderr::add);
        Duration timeout = Duration.ofSeconds(60);
        McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(timeout).build();
        try {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("kami");
            assertThat(init.capabilities().tools()).isNotNull();

            List<McpSchema.Tool> tools = client.listTools().tools();
            assertThat(tools).extracting(McpSchema.Tool::name).containsExactly("dev_kami_echo");
            assertThat(tools.get(0).description()).isEqualTo("Echoes back its JSON input unchanged");

            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("dev_kami_echo",
                    Map.of("message", "hello over stdio")));
            assertThat(r.isError()).as("call result %s; server stderr %s", r, stderr).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("hello over stdio");
            assertThat(r.structuredContent()).isEqualTo(Map.of("message", "hello over stdio"));

            McpSchema.CallToolResult unknown = null;
            try {
                unknown = client.callTool(new McpSchema.CallToolRequest("dev_kami_nope", Map.of()));
            } catch (RuntimeException e) {
                assertThat(e.getMessage()).contains("dev_kami_nope");
            }
            assertThat(unknown).as("an unknown tool is a protocol error, not a result").isNull();
        } finally {
            client.closeGracefully();
        }
        assertThat(String.join("\n", stderr)).contains("kami: serving 1 tools over MCP stdio");
    }
}
