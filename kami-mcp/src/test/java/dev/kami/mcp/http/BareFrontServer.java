package dev.kami.mcp.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The ceiling of the built-in HTTP stack, for {@code scripts/http-bench.sh}: {@link HttpFront}
 * answering every request with a fixed JSON-RPC result, handed on to a worker thread as
 * {@link McpHttpServer} does. Not a test. Usage: {@code BareFrontServer PORT}.
 */
public final class BareFrontServer {
    private static final byte[] REPLY = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\","
            + "\"text\":\"{\\\"message\\\":\\\"hi\\\"}\"}],\"isError\":false}}").getBytes(StandardCharsets.UTF_8);

    private BareFrontServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "bare-worker");
            t.setDaemon(true);
            return t;
        });
        HttpLimits limits = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(30), 16 * 1024, 4 << 20, 4096, 4096, 8L << 20, 256L << 20);
        HttpFront front = new HttpFront("127.0.0.1", port, limits,
                ex -> workers.execute(() -> ex.respond(200, "application/json", REPLY)));
        System.err.println("bare HttpFront on http://127.0.0.1:" + front.address().getPort() + "/mcp");
        Thread.currentThread().join();
    }
}
