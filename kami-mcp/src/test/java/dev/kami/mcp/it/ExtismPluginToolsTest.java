package dev.kami.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extism plugins offering several tools (ADR 0120 section 7), installed as packages through
 * {@code Kami.install} and served over MCP to the official SDK client: each tool of a plugin is
 * its own MCP tool named {@code <tool mcp name>__<tool>}, and {@code tools/call} of that name
 * reaches that tool of the plugin. The plugins are kami-wasm-chicory's AssemblyScript fixtures
 * (hyper-mcp v1 and v2, an mcp.run servlet, built with {@code @extism/as-pdk}) and its WAT echo.
 */
@Timeout(120)
class ExtismPluginToolsTest {
    private static final Path FIXTURES = Path.of("..", "kami-wasm-chicory", "src", "test", "resources", "dev",
            "kami", "engine", "chicory", "extism");
    private static final List<String> AS_TOOLS = List.of("config", "echo", "fail", "http", "log", "upper", "vars");

    @TempDir
    Path dir;

    private Path plugin(String fixture, String id, String extraMcp) throws Exception {
        Path pkg = dir.resolve(fixture);
        Files.createDirectories(pkg);
        Files.copy(FIXTURES.resolve(fixture + ".wasm"), pkg.resolve("plugin.wasm"));
        Files.writeString(pkg.resolve("tool.toml"), "[tool]\nid = \"" + id + "\"\nname = \"" + fixture
                + "\"\nversion = \"1.0.0\"\nwasm = \"plugin.wasm\"\nabi = \"extism\"\n\n[mcp]\n"
                + "description = \"the " + fixture + " plugin\"\n" + extraMcp);
        return pkg;
    }

    private static void overMcp(Kami kami, Consumer<McpSyncClient> body) {
        McpServer mcp = McpServer.builder(kami).build();
        McpHttpServer http = McpHttpServer.builder(mcp).start();
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + http.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30)).build();
        try {
            client.initialize();
            body.accept(client);
        } finally {
            client.closeGracefully();
            http.close();
            mcp.close();
        }
    }

    private static String text(McpSchema.CallToolResult r) {
        return r.content().stream().map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
    }

    private static McpSchema.CallToolResult call(McpSyncClient c, String name, Map<String, Object> args) {
        return c.callTool(McpSchema.CallToolRequest.builder(name).arguments(args).build());
    }

    @Test
    void eachToolOfHyperMcpV1V2AndServletPluginsIsItsOwnMcpToolAndCallsReachIt() throws Exception {
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(plugin("as-v1", "dev.hyper.v1", ""));
            kami.install(plugin("as-v2", "dev.hyper.v2", ""));
            kami.install(plugin("as-servlet", "dev.run.servlet", ""));

            assertThat(kami.list()).extracting(InstalledTool::mcpName).contains("dev_hyper_v1__upper",
                    "dev_hyper_v2__notify", "dev_run_servlet__echo");
            InstalledTool upper = kami.tool("dev_hyper_v1__upper");
            assertThat(upper.id().value()).isEqualTo("dev.hyper.v1");
            assertThat(upper.entry().name()).isEqualTo("upper");
            assertThat(upper.description()).isEqualTo("upper-cases arguments.text");

            overMcp(kami, client -> {
                Map<String, McpSchema.Tool> tools = client.listTools().tools().stream()
                        .collect(Collectors.toMap(McpSchema.Tool::name, t -> t));
                for (String t : AS_TOOLS) {
                    assertThat(tools).containsKeys("dev_hyper_v1__" + t, "dev_hyper_v2__" + t, "dev_run_servlet__" + t);
                }
                assertThat(tools).containsKey("dev_hyper_v2__notify") // v2 lists one more
                        .doesNotContainKeys("dev_hyper_v1", "dev_hyper_v2", "dev_run_servlet");
                assertThat(tools.get("dev_hyper_v1__upper").description()).isEqualTo("upper-cases arguments.text");
                assertThat(tools.get("dev_hyper_v2__echo").description())
                        .isEqualTo("returns the payload it was called with");
                assertThat(tools.get("dev_run_servlet__fail").inputSchema()).containsEntry("type", "object");

                McpSchema.CallToolResult v1 = call(client, "dev_hyper_v1__upper", Map.of("text", "héllo wörld"));
                assertThat(v1.isError()).isFalse();
                assertThat(text(v1)).isEqualTo("HÉLLO WÖRLD");
                McpSchema.CallToolResult v2 = call(client, "dev_hyper_v2__upper", Map.of("text", "abc"));
                assertThat(v2.isError()).isFalse();
                assertThat(text(v2)).isEqualTo("ABC");
                McpSchema.CallToolResult servlet = call(client, "dev_run_servlet__echo", Map.of("q", "servlet"));
                assertThat(servlet.isError()).isFalse();
                assertThat(text(servlet)).isEqualTo("{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"q\":\"servlet\"}}}");
                McpSchema.CallToolResult fail = call(client, "dev_hyper_v2__fail", Map.of());
                assertThat(fail.isError()).isTrue();
                assertThat(text(fail)).contains("failed on purpose");
            });
        }
    }

    @Test
    void skipToolsLeavesToolsOutAndAnUnknownEntryNameIsAnUnknownTool() throws Exception {
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(plugin("as-v1", "dev.hyper.v1", "skip_tools = [\"http\", \"vars\"]\n"));
            assertThat(kami.list()).extracting(InstalledTool::mcpName).containsExactlyInAnyOrder(
                    "dev_hyper_v1__config", "dev_hyper_v1__echo", "dev_hyper_v1__fail", "dev_hyper_v1__log",
                    "dev_hyper_v1__upper");
            overMcp(kami, client -> {
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).doesNotContain(
                        "dev_hyper_v1__http", "dev_hyper_v1__vars");
                McpSchema.CallToolResult skipped;
                try {
                    skipped = call(client, "dev_hyper_v1__http", Map.of("url", "http://127.0.0.1/"));
                } catch (RuntimeException e) {
                    assertThat(e.getMessage()).contains("dev_hyper_v1__http");
                    return;
                }
                assertThat(skipped.isError()).isTrue();
                assertThat(text(skipped)).contains("Unknown tool").contains("dev_hyper_v1__http");
            });
        }
    }

    @Test
    void aPluginOfOneToolKeepsThePlainName() throws Exception {
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(plugin("wat-echo", "dev.wat.echo", ""));
            assertThat(kami.list()).extracting(InstalledTool::mcpName).containsExactly("dev_wat_echo");
            // its one tool's schema is the plugin's, its name stays the tool's own
            assertThat(kami.tool("dev_wat_echo").entry().name()).isEqualTo("echo");
            assertThat(kami.tool("dev_wat_echo").inputSchema()).isEqualTo("{\"type\":\"object\"}");
            overMcp(kami, client -> {
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("dev_wat_echo");
                McpSchema.CallToolResult r = call(client, "dev_wat_echo", Map.of("message", "hello"));
                assertThat(r.isError()).as(text(r)).isFalse();
                // wat/echo.wat echoes the whole payload it was called with: the call reached tool "echo"
                assertThat(text(r)).isEqualTo("{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":\"hello\"}}}");
            });
        }
    }

    @Test
    void thePluginsToolsAreRecordedInTheRegistryAndServedByTheNextProcess() throws Exception {
        Path home = dir.resolve("home");
        try (Kami kami = Kami.builder().home(home).build()) {
            kami.install(plugin("as-v2", "dev.hyper.v2", ""));
            kami.install(plugin("wat-echo", "dev.wat.echo", ""));
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("registry.db"));
                java.sql.ResultSet rs = c.createStatement().executeQuery(
                        "SELECT entries FROM kami_blobs WHERE entries IS NOT NULL ORDER BY length(entries) DESC")) {
            assertThat(rs.next()).as("entries recorded at install").isTrue();
            assertThat(rs.getString(1)).startsWith("[{\"name\":\"echo\",\"description\":\"returns the payload it was"
                    + " called with\",\"inputSchema\":\"{\\\"type\\\":\\\"object\\\"}\"}").contains("\"name\":\"notify\"");
            assertThat(rs.next()).as("a plugin of one tool is recorded too").isTrue();
            assertThat(rs.getString(1)).isEqualTo("[{\"name\":\"echo\",\"description\":\"\",\"inputSchema\":"
                    + "\"{\\\"type\\\":\\\"object\\\"}\"}]");
            assertThat(rs.next()).isFalse();
        }
        try (Kami kami = Kami.builder().home(home).build()) { // another process
            assertThat(kami.loadAll()).as("the plugin's module loads once for its tools").isEmpty();
            assertThat(kami.list()).extracting(InstalledTool::mcpName).contains("dev_hyper_v2__upper",
                    "dev_hyper_v2__notify");
            dev.kami.ToolResult r = kami.call("dev_hyper_v2__upper", "{\"text\":\"next\"}");
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.text()).isEqualTo("NEXT");
        }
    }
}
