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

/**
 * {@code kami serve}: over stdio it answers the official MCP Java SDK client (stdout carries MCP
 * only); over HTTP it binds where told, answers health probes and requires the token.
 */
@Timeout(300)
class CliServeTest {
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

            McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder("dev_kami_echo")
                    .arguments(Map.of("message", "hello over stdio")).build());
            assertThat(r.isError()).as("call result %s; server stderr %s", r, stderr).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("hello over stdio");
            assertThat(r.structuredContent()).isEqualTo(Map.of("message", "hello over stdio"));

            McpSchema.CallToolResult unknown = null;
            try {
                unknown = client.callTool(McpSchema.CallToolRequest.builder("dev_kami_nope").arguments(Map.of()).build());
            } catch (RuntimeException e) {
                assertThat(e.getMessage()).contains("dev_kami_nope");
            }
            assertThat(unknown).as("an unknown tool is a protocol error, not a result").isNull();
        } finally {
            client.closeGracefully();
        }
        assertThat(String.join("\n", stderr)).contains("kami: serving 1 tools over MCP stdio");
    }

    @Test
    void httpServesHealthAndRequiresTheToken() throws Exception {
        List<String> cmd = KamiRunner.javaCommand();
        cmd.addAll(List.of("--home", home.toString(), "serve", "--transport", "http", "--port", "0", "--bind",
                "127.0.0.1", "--token", "s3cret", "--allowed-origin", "http://localhost:3000"));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            String address = null;
            while (address == null && (line = err.readLine()) != null) {
                var m = java.util.regex.Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)/mcp").matcher(line);
                if (m.find()) {
                    address = m.group(1);
                    assertThat(line).contains("bearer token required");
                }
            }
            assertThat(address).as("the server printed its address on stderr").isNotNull();
            var http = java.net.http.HttpClient.newHttpClient();
            var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(address + "/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
            var noToken = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(address + "/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ping)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            var foreignOrigin = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(address + "/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("Authorization", "Bearer s3cret").header("Origin", "http://evil.example")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ping)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(foreignOrigin.statusCode()).isEqualTo(403);
        } finally {
            p.destroy();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void stdioPutsNothingButMcpOnStdoutAndStopsAtEndOfInput() throws Exception {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"dev_kami_echo\","
                        + "\"arguments\":{\"message\":\"raw\"}}}", "");
        KamiRunner.Result r = KamiRunner.jarWithInput(home, requests, "--verbose", "serve").expect(0);
        var json = tools.jackson.databind.json.JsonMapper.builder().build();
        var lines = r.out().lines().toList();
        assertThat(lines).as("stdout:%n%s%nstderr:%n%s", r.out(), r.err()).hasSize(2);
        for (String line : lines) {
            assertThat(json.readTree(line).get("jsonrpc").asString()).isEqualTo("2.0");
        }
        assertThat(lines.get(1)).contains("\"id\":2").contains("raw").doesNotContain("\"isError\":true");
        assertThat(r.err()).contains("kami: serving 1 tools over MCP stdio");
    }

    /** Starts {@code kami serve --transport http --port 0 extra...}; returns its stderr banner line and stops it. */
    private String httpBanner(String... extra) throws Exception {
        List<String> cmd = KamiRunner.javaCommand();
        cmd.addAll(List.of("--home", home.toString(), "serve", "--transport", "http", "--port", "0"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                var m = java.util.regex.Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)/mcp").matcher(line);
                if (m.find()) {
                    var http = java.net.http.HttpClient.newHttpClient();
                    var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.group(1)
                            + "/health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                    return line;
                }
            }
            throw new AssertionError("kami serve printed no address");
        } finally {
            p.destroy();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void httpCapacityAndFairnessComeFromFlagsOrTheServeTable() throws Exception {
        assertThat(httpBanner("--workers", "3", "--queue-capacity", "5", "--queue-wait", "1000", "--client-share", "0.34"))
                .contains("; 3 workers, 5 queued at most 1000 ms, 1 calls at once per client address)");
        java.nio.file.Files.writeString(home.resolve(CliConfig.FILE), "[serve]\nworkers = 2\nclient_share = 1.0\n"
                + "queue_wait_ms = 500\nmax_sessions_per_client = 4\nmax_connections_per_client = 8\n");
        assertThat(httpBanner()).contains("; 2 workers, 256 queued at most 500 ms, 2 calls at once per client address)");
        assertThat(httpBanner("--workers", "4", "--client-share", "0.5"))
                .as("flags win over [serve]").contains("; 4 workers, 256 queued at most 500 ms, 2 calls at once");
    }
}
