package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code kami serve --transport http} nodes (the jar, real processes) on one PostgreSQL
 * registry (a fresh schema per run), behind HAProxy from Debian (round robin; legacy sessions
 * pinned by their {@code Mcp-Session-Id}), with raw 2026-07-28 and legacy clients and the MCP Java
 * SDK client. Skipped with a visible message when
 * {@code KAMI_TEST_PG_URL} is unset or {@code haproxy} is not installed.
 */
@Timeout(240)
class CliClusterTest {
    static final String PG = "KAMI_TEST_PG_URL";
    static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"cluster\",\"version\":\"1\"}}";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void twoNodesOnOnePostgresBehindHaproxyServeStatelessAndPinnedLegacyClientsAndShareToolChanges()
            throws Exception {
        String base = System.getenv(PG);
        Assumptions.assumeTrue(base != null && !base.isBlank(), PG + " is not set (e.g. jdbc:postgresql://127.0.0.1:5432/"
                + "test?user=postgres): the two-node cluster test behind HAProxy is skipped");
        Path haproxy = Stream.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(haproxy != null, "haproxy is not installed (apt-get install haproxy): the two-node"
                + " cluster test behind a load balancer is skipped");

        String schema = "kami_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec(base, "CREATE SCHEMA " + schema);
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        // Behind the balancer every client has its address: one client address holds all the
        // workers, and sessions and connections per address are raised (ADR 0306, 0307).
        String config = "[store]\nurl = \"" + url + "\"\n[serve]\nclient_share = 1\n"
                + "max_sessions_per_client = 10000\nmax_connections_per_client = 4096\n";
        Path homeA = Files.createDirectories(dir.resolve("node-a"));
        Path homeB = Files.createDirectories(dir.resolve("node-b"));
        Files.writeString(homeA.resolve(CliConfig.FILE), config);
        Files.writeString(homeB.resolve(CliConfig.FILE), config);
        Process lb = null;
        try {
            // install through node A's configuration, before either node serves
            KamiRunner.jar(homeA, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
            try (ServedNode a = new ServedNode(homeA, "--workers", "2");
                    ServedNode b = new ServedNode(homeB, "--workers", "2")) {
                assertThat(a.banner).contains("serving 1 tools");
                assertThat(b.banner).as("node B sees the tool installed through A").contains("serving 1 tools");
                int port = freePort();
                Path cfg = dir.resolve("haproxy.cfg");
                Files.writeString(cfg, haproxyConfig(port, a.port, b.port));
                lb = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
                awaitPort(port, lb, dir.resolve("haproxy.log"));
                String front = "http://127.0.0.1:" + port + "/mcp";

                // 2026-07-28 clients are stateless: round robin spreads their calls over both nodes
                Set<String> nodes = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    HttpResponse<String> r = modernCall(front, "dev_kami_echo", "{\"message\":\"stateless " + i + "\"}");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(r.body()).contains("stateless " + i).contains("\"isError\":false");
                    nodes.add(r.headers().firstValue("X-Kami-Node").orElseThrow());
                }
                assertThat(nodes).as("calls answered by both nodes").containsExactlyInAnyOrder("node-a", "node-b");

                // legacy clients: HAProxy pins a session to the node that created it by its
                // Mcp-Session-Id (stick table), so every later request finds its session
                List<Legacy> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    clients.add(Legacy.open(http, front));
                }
                assertThat(clients.stream().map(c -> c.node).distinct()).as("sessions on both nodes")
                        .containsExactlyInAnyOrder("node-a", "node-b");
                for (Legacy c : clients) {
                    for (int i = 0; i < 3; i++) {
                        HttpResponse<String> r = c.post("{\"jsonrpc\":\"2.0\",\"id\":" + (10 + i) + ",\"method\":"
                                + "\"tools/call\",\"params\":{\"name\":\"dev_kami_echo\",\"arguments\":{\"message\":"
                                + "\"legacy " + i + "\"}}}");
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        assertThat(r.body()).contains("legacy " + i);
                        assertThat(r.headers().firstValue("X-Kami-Node").orElseThrow()).as("pinned").isEqualTo(c.node);
                    }
                }

                // the MCP Java SDK client (legacy era) through the balancer: its session id pins it
                java.util.concurrent.BlockingQueue<List<io.modelcontextprotocol.spec.McpSchema.Tool>> sdkChanges =
                        new java.util.concurrent.LinkedBlockingQueue<>();
                io.modelcontextprotocol.client.McpSyncClient sdk = io.modelcontextprotocol.client.McpClient.sync(
                        io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                                .builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                        .requestTimeout(java.time.Duration.ofSeconds(30)).toolsChangeConsumer(sdkChanges::add).build();
                try {
                    sdk.initialize();
                    for (int i = 0; i < 4; i++) {
                        io.modelcontextprotocol.spec.McpSchema.CallToolResult r = sdk.callTool(
                                io.modelcontextprotocol.spec.McpSchema.CallToolRequest.builder("dev_kami_echo")
                                        .arguments(java.util.Map.of("message", "sdk " + i)).build());
                        assertThat(r.isError()).isFalse();
                        assertThat(((io.modelcontextprotocol.spec.McpSchema.TextContent) r.content().get(0)).text())
                                .contains("sdk " + i);
                    }

                    // a change made through node A's registry reaches a legacy client held by node B
                    // (and the SDK client, wherever it is pinned)
                    clusterChange(homeA, clients, front);
                    List<io.modelcontextprotocol.spec.McpSchema.Tool> seen = sdkChanges.poll(30, TimeUnit.SECONDS);
                    assertThat(seen).as("the SDK client was told the tool list changed").isNotNull();
                    assertThat(seen.stream().map(io.modelcontextprotocol.spec.McpSchema.Tool::name))
                            .contains("dev_kami_sha256");
                } finally {
                    sdk.closeGracefully();
                }
            }
        } finally {
            if (lb != null) {
                lb.destroy();
                lb.waitFor(10, TimeUnit.SECONDS);
            }
            exec(base, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /**
     * Installs sha256 through node A's configuration (the shared registry) while a legacy client
     * pinned to node B listens on its GET stream: node B's registry watcher tells it.
     */
    private void clusterChange(Path homeA, List<Legacy> clients, String front) throws Exception {
        Legacy onB = clients.stream().filter(c -> c.node.equals("node-b")).findFirst().orElseThrow();
        CompletableFuture<String> changed = onB.awaitNotification("notifications/tools/list_changed");
        KamiRunner.jar(homeA, "install", "--yes", KamiRunner.sample("sha256").toString()).expect(0);
        assertThat(changed.get(30, TimeUnit.SECONDS)).contains("notifications/tools/list_changed");
        HttpResponse<String> list = onB.post("{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"tools/list\"}");
        assertThat(list.body()).contains("\"name\":\"dev_kami_sha256\"");
        HttpResponse<String> sha = modernCall(front, "dev_kami_sha256", "{\"data\":\"abc\"}");
        assertThat(sha.body()).contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    /** Round robin per request; legacy sessions stick to the node whose response named them. */
    static String haproxyConfig(int port, int a, int b) {
        return String.join("\n",
                "global",
                "  maxconn 512",
                "defaults",
                "  mode http",
                "  timeout connect 2s",
                "  timeout client 60s",
                "  timeout server 60s",
                "frontend mcp",
                "  bind 127.0.0.1:" + port,
                "  default_backend kami",
                "backend kami",
                "  balance roundrobin",
                "  stick-table type string len 64 size 100k expire 30m",
                "  stick on req.hdr(mcp-session-id)",
                "  stick store-response res.hdr(mcp-session-id)",
                "  http-response set-header X-Kami-Node %[srv_name]",
                "  server node-a 127.0.0.1:" + a,
                "  server node-b 127.0.0.1:" + b,
                "");
    }

    private HttpResponse<String> modernCall(String front, String tool, String args) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + args + "," + META + "}}";
        return http.send(HttpRequest.newBuilder(URI.create(front)).header("Content-Type", "application/json")
                .header("Accept", "application/json").header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A legacy (2025-11-25) client session through the balancer. */
    static final class Legacy {
        final HttpClient http;
        final String front;
        final String sid;
        final String node;

        private Legacy(HttpClient http, String front, String sid, String node) {
            this.http = http;
            this.front = front;
            this.sid = sid;
            this.node = node;
        }

        static Legacy open(HttpClient http, String front) throws Exception {
            HttpResponse<String> init = http.send(HttpRequest.newBuilder(URI.create(front))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                            + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":"
                            + "{\"name\":\"legacy\",\"version\":\"1\"}}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
            Legacy c = new Legacy(http, front, init.headers().firstValue("Mcp-Session-Id").orElseThrow(),
                    init.headers().firstValue("X-Kami-Node").orElseThrow());
            HttpResponse<String> ack = c.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(202);
            return c;
        }

        HttpResponse<String> post(String json) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(front)).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream").header("Mcp-Session-Id", sid)
                    .header("MCP-Protocol-Version", "2025-11-25").POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        /** Opens the session's GET stream and completes with the first event naming {@code method}. */
        CompletableFuture<String> awaitNotification(String method) throws Exception {
            HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(front))
                    .header("Accept", "text/event-stream").header("Mcp-Session-Id", sid)
                    .header("MCP-Protocol-Version", "2025-11-25").GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("X-Kami-Node").orElseThrow()).isEqualTo(node);
            return CompletableFuture.supplyAsync(() -> {
                try (Stream<String> lines = stream.body()) {
                    return lines.filter(l -> l.startsWith("data:") && l.contains(method)).findFirst().orElse("");
                }
            });
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process lb, Path log) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (!lb.isAlive()) {
                throw new AssertionError("haproxy exited " + lb.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("haproxy did not listen on " + port + ": " + Files.readString(log));
    }

    private static void exec(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
