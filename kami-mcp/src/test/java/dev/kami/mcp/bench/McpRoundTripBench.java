package dev.kami.mcp.bench;

import dev.kami.Kami;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The {@code tools/call} round trip over stdio and HTTP against a direct {@code kami.call} of the
 * same tool (the WAT echo, real Kami with Chicory), in the same run. Not a test; run by hand:
 *
 * <pre>mvn -o -f kami-mcp/pom.xml test -Dtest=McpRoundTripBench -Dkami.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Prints medians and p99 in microseconds and the ratio to the direct call, sequential calls
 * (one in flight), after a warm-up. Results go to stderr and {@code target/mcp-round-trip.txt}.
 */
class McpRoundTripBench {
    private static final int WARMUP = 1000;
    private static final int N = 3000;
    private static final String ARGS = "{\"message\":\"hello, bench\"}";

    @Test
    @EnabledIfSystemProperty(named = "kami.bench", matches = "true")
    void run() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Kami kami = BenchKami.create()) {
            long[] direct = direct(kami);
            long[] core = core(kami);
            long[] http = http(kami);
            long[] stdio = stdio();
            out.append(String.format(Locale.ROOT, "%-34s %10s %10s %8s%n", "path", "median us", "p99 us", "ratio"));
            line(out, "direct kami.call", direct, direct);
            line(out, "McpSession.handle (no transport)", core, direct);
            line(out, "Streamable HTTP (JDK client)", http, direct);
            line(out, "stdio (child process)", stdio, direct);
        }
        System.err.println(out);
        Files.writeString(Path.of("target", "mcp-round-trip.txt"), out.toString());
    }

    private static void line(StringBuilder out, String name, long[] ns, long[] base) {
        double m = median(ns) / 1000.0;
        double p99 = ns[(int) (ns.length * 0.99)] / 1000.0;
        out.append(String.format(Locale.ROOT, "%-34s %10.1f %10.1f %8.2f%n", name, m, p99, median(ns) / (double) median(base)));
    }

    private static long median(long[] sorted) {
        return sorted[sorted.length / 2];
    }

    private static long[] direct(Kami kami) {
        for (int i = 0; i < WARMUP; i++) {
            kami.call("dev_mcp_echo", ARGS);
        }
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            long s = System.nanoTime();
            kami.call("dev_mcp_echo", ARGS);
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t;
    }

    private static long[] core(Kami kami) throws Exception {
        try (McpServer mcp = McpServer.builder(kami).build()) {
            McpSession s = mcp.openSession(null);
            s.handle(init()).get(10, TimeUnit.SECONDS);
            long[] t = new long[N];
            for (int i = -WARMUP; i < N; i++) {
                long st = System.nanoTime();
                s.handle(call(i)).get(10, TimeUnit.SECONDS);
                if (i >= 0) {
                    t[i] = System.nanoTime() - st;
                }
            }
            Arrays.sort(t);
            return t;
        }
    }

    private static long[] http(Kami kami) throws Exception {
        try (McpServer mcp = McpServer.builder(kami).build(); McpHttpServer http = McpHttpServer.builder(mcp).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create(http.address());
            HttpResponse<String> init = client.send(post(uri, init()).build(), HttpResponse.BodyHandlers.ofString());
            String sid = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            long[] t = new long[N];
            for (int i = -WARMUP; i < N; i++) {
                HttpRequest r = post(uri, call(i)).header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25").build();
                long st = System.nanoTime();
                HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
                if (i >= 0) {
                    t[i] = System.nanoTime() - st;
                }
                if (resp.statusCode() != 200) {
                    throw new AssertionError(resp.statusCode() + " " + resp.body());
                }
            }
            Arrays.sort(t);
            return t;
        }
    }

    private static HttpRequest.Builder post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static long[] stdio() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.kami.mcp.it.TestStdioServerMain", "real").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            OutputStream in = p.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            write(in, init());
            out.readLine();
            long[] t = new long[N];
            for (int i = -WARMUP; i < N; i++) {
                long st = System.nanoTime();
                write(in, call(i));
                String line = out.readLine();
                if (i >= 0) {
                    t[i] = System.nanoTime() - st;
                }
                if (line == null || !line.contains("\"isError\":false")) {
                    throw new AssertionError("bad reply: " + line);
                }
            }
            Arrays.sort(t);
            return t;
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static void write(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String init() {
        return "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";
    }

    private static String call(int i) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"c" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"dev_mcp_echo\","
                + "\"arguments\":" + ARGS + "}}";
    }
}
