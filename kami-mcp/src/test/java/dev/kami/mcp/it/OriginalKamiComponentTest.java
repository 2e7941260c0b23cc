package dev.kami.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original KAMI's echo package, unchanged (its tool.toml; a kami:tool WebAssembly component
 * at its target/wasm32-wasip2 path, here the C component of kami-wasm-chicory's fixtures), served
 * over MCP to the official SDK client.
 */
@Timeout(120)
class OriginalKamiComponentTest {
    private static final Path COMPONENT = Path.of("..", "kami-wasm-chicory", "src", "test", "resources",
            "components", "c-echo.wasm");

    @TempDir
    Path dir;

    @Test
    void theOriginalsEchoComponentIsListedAndCalledOverMcp() throws Exception {
        Path pkg = dir.resolve("echo");
        Path wasm = pkg.resolve("target/wasm32-wasip2/release/echo.wasm");
        Files.createDirectories(wasm.getParent());
        Files.copy(COMPONENT, wasm);
        try (InputStream toml = getClass().getResourceAsStream("/original-kami/echo.tool.toml")) {
            Files.write(pkg.resolve("tool.toml"), toml.readAllBytes());
        }
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(pkg);
            McpServer mcp = McpServer.builder(kami).build();
            McpHttpServer http = McpHttpServer.builder(mcp).start();
            McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
                    .builder("http://127.0.0.1:" + http.port()).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30)).build();
            try {
                client.initialize();
                McpSchema.Tool tool = client.listTools().tools().stream()
                        .filter(t -> t.name().equals("dev_kami_echo")).findFirst().orElseThrow();
                assertThat(tool.description()).isEqualTo("Echoes back the JSON input unchanged");
                McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder("dev_kami_echo")
                        .arguments(Map.of("input", "{\"a\":1}")).build());
                assertThat(r.isError()).isFalse();
                assertThat(r.structuredContent()).isEqualTo(Map.of("input", "{\"a\":1}"));
            } finally {
                client.closeGracefully();
                http.close();
                mcp.close();
            }
        }
    }

    @Test
    void withoutDescriptionTheComponentsDescribeTextIsWhatToolsListShows() throws Exception {
        Path pkg = dir.resolve("echo");
        Path wasm = pkg.resolve("target/wasm32-wasip2/release/echo.wasm");
        Files.createDirectories(wasm.getParent());
        Files.copy(COMPONENT, wasm);
        String toml;
        try (InputStream in = getClass().getResourceAsStream("/original-kami/echo.tool.toml")) {
            toml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(toml).contains("description = \"Echoes back the JSON input unchanged\"\n");
        Files.writeString(pkg.resolve("tool.toml"), toml.replace("description = \"Echoes back the JSON input unchanged\"\n",
                ""));
        try (Kami kami = Kami.builder().inMemory().build()) {
            dev.kami.InstalledTool installed = kami.install(pkg);
            assertThat(installed.manifest().description()).isEmpty();
            assertThat(installed.description()).isEqualTo("Echoes its input (C component)");
            assertThat(kami.tool("dev.kami.echo").record().description()).isEqualTo("Echoes its input (C component)");
            McpServer mcp = McpServer.builder(kami).build();
            McpHttpServer http = McpHttpServer.builder(mcp).start();
            McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
                    .builder("http://127.0.0.1:" + http.port()).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30)).build();
            try {
                client.initialize();
                McpSchema.Tool tool = client.listTools().tools().stream()
                        .filter(t -> t.name().equals("dev_kami_echo")).findFirst().orElseThrow();
                // c-echo's describe() returns {"name":"c-echo","description":"Echoes its input (C component)"}
                assertThat(tool.description()).isEqualTo("Echoes its input (C component)");
            } finally {
                client.closeGracefully();
                http.close();
                mcp.close();
            }
        }
    }

    @Test
    void aCoreModuleWithoutDescriptionIsRefusedAtInstallWithWhatToAdd() throws Exception {
        Path pkg = dir.resolve("core-echo");
        Files.createDirectories(pkg);
        Files.copy(Path.of("..", "samples", "tools", "echo", "echo.wasm"), pkg.resolve("echo.wasm"));
        Files.writeString(pkg.resolve("tool.toml"), "[tool]\nid = \"dev.kami.core-echo\"\nname = \"echo\"\n"
                + "version = \"1.0.0\"\nwasm = \"echo.wasm\"\n\n[mcp]\n");
        try (Kami kami = Kami.builder().inMemory().build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> kami.install(pkg))
                    .isInstanceOf(dev.kami.ManifestException.class)
                    .hasMessageContaining("key 'mcp.description': is missing, and the module of tool dev.kami.core-echo "
                            + "(kami-v1) gives no description of its own (only a component's describe() does); add "
                            + "description = \"...\" to [mcp]");
            assertThat(kami.list()).isEmpty();
        }
    }
}
