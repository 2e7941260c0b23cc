package dev.kami.mcp.stdio;

import static dev.kami.mcp.testkit.Rpc.call;
import static dev.kami.mcp.testkit.Rpc.errorCode;
import static dev.kami.mcp.testkit.Rpc.initialize;
import static dev.kami.mcp.testkit.Rpc.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class StdioServerTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).maxMessageBytes(4096).build();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private OutputStream toServer;
    private StdioServer stdio;

    /** Collects what the server writes, line by line, keeping the raw bytes too. */
    private final class LineSink extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            raw.write(b);
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    private void start(Duration grace) throws IOException {
        Pipe pipe = Pipe.open();
        InputStream in = Channels.newInputStream(pipe.source());
        toServer = Channels.newOutputStream(pipe.sink());
        stdio = StdioServer.start(mcp, in, new LineSink(), grace, false);
    }

    private void send(String line) throws IOException {
        send(line.getBytes(StandardCharsets.UTF_8));
    }

    private void send(byte[] bytes) throws IOException {
        toServer.write(bytes);
        toServer.write('\n');
        toServer.flush();
    }

    private JsonNode next() throws InterruptedException {
        String l = lines.poll(10, TimeUnit.SECONDS);
        assertThat(l).as("a reply within 10 s").isNotNull();
        return Rpc.parse(l);
    }

    @AfterEach
    void close() {
        if (stdio != null) {
            stdio.close();
        }
        mcp.close();
        kami.close();
    }

    @Test
    void answersOneMessagePerLineAndWritesNothingElse() throws Exception {
        start(Duration.ofSeconds(5));
        send(initialize("2025-11-25"));
        assertThat(next().path("result").path("protocolVersion").asString()).isEqualTo("2025-11-25");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("");
        send(request(2, "ping", null) + "\r");
        assertThat(next().path("id").asInt()).isEqualTo(2);
        send(call(3, "dev_test_echo", "{\"message\":\"line\\nbreak\"}"));
        JsonNode r = next();
        assertThat(r.path("result").path("structuredContent").path("message").asString()).isEqualTo("line\nbreak");
        toServer.close();
        stdio.awaitTermination();
        String out = raw.toString(StandardCharsets.UTF_8);
        assertThat(out.split("\n")).hasSize(3).allSatisfy(l -> assertThat(Rpc.parse(l).path("jsonrpc").asString()).isEqualTo("2.0"));
    }

    @Test
    void aSlowToolNeverBlocksPingOrAnotherCall() throws Exception {
        start(Duration.ofMillis(200));
        send(initialize("2025-11-25"));
        next();
        send(call(1, "dev_test_slow", null));
        send(request(2, "ping", null));
        send(call(3, "dev_test_noargs", null));
        assertThat(next().path("id").asInt()).isEqualTo(2);
        assertThat(next().path("id").asInt()).isEqualTo(3);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
        send(request(4, "ping", null));
        assertThat(next().path("id").asInt()).isEqualTo(4); // the cancelled call sends nothing
        assertThat(lines.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void badLinesAreRefusedAndServingGoesOn() throws Exception {
        start(Duration.ofSeconds(5));
        send("{not json");
        assertThat(errorCode(next())).isEqualTo(-32700);
        send(new byte[] {'{', '"', (byte) 0xC3, '"', '}'});
        assertThat(errorCode(next())).isEqualTo(-32700);
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(100_000) + "\"}}");
        JsonNode tooBig = next();
        assertThat(errorCode(tooBig)).isEqualTo(-32600);
        assertThat(tooBig.path("error").path("message").asString()).contains("at most 4096");
        send(request(2, "ping", null));
        assertThat(next().path("id").asInt()).isEqualTo(2);
    }

    @Test
    void endOfInputWaitsForCallsInFlightThenStops() throws Exception {
        start(Duration.ofSeconds(10));
        send(initialize("2025-11-25"));
        next();
        for (int i = 0; i < 5; i++) {
            send(call(10 + i, "dev_test_echo", "{\"message\":\"m" + i + "\"}"));
        }
        toServer.close();
        stdio.awaitTermination();
        Set<Integer> ids = new HashSet<>();
        String l;
        while ((l = lines.poll()) != null) {
            ids.add(Rpc.parse(l).path("id").asInt());
        }
        assertThat(ids).containsExactlyInAnyOrder(10, 11, 12, 13, 14);
    }

    @Test
    void endOfInputCancelsCallsStillRunningAfterTheGrace() throws Exception {
        start(Duration.ofMillis(100));
        send(initialize("2025-11-25"));
        next();
        send(call(1, "dev_test_slow", null));
        Thread.sleep(100);
        toServer.close();
        assertThat(stdioTerminatesWithin(Duration.ofSeconds(5))).isTrue();
        assertThat(kami.slowStoppedAtNanos).isNotZero();
    }

    private boolean stdioTerminatesWithin(Duration d) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                stdio.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        t.join(d.toMillis());
        return !t.isAlive();
    }

    @Test
    void endOfInputEndsSubscriptionsAtOnce() throws Exception {
        start(Duration.ofSeconds(30));
        send(Rpc.modern("s", "subscriptions/listen", "\"notifications\":{\"toolsListChanged\":true}"));
        assertThat(next().path("method").asString()).isEqualTo("notifications/subscriptions/acknowledged");
        toServer.close();
        assertThat(stdioTerminatesWithin(Duration.ofSeconds(5))).isTrue();
        JsonNode end = next();
        assertThat(end.path("id").asString()).isEqualTo("s");
        assertThat(end.path("result").path("resultType").asString()).isEqualTo("complete");
    }

    @Test
    void listChangedIsWrittenToTheStream() throws Exception {
        start(Duration.ofSeconds(5));
        send(initialize("2025-11-25"));
        next();
        send(call(1, "dev_test_install", null));
        JsonNode a = next();
        JsonNode b = next();
        JsonNode notification = a.has("method") ? a : b;
        assertThat(notification.path("method").asString()).isEqualTo("notifications/tools/list_changed");
    }

    @Test
    void sixtyFourConcurrentCallsAreAllAnswered() throws Exception {
        start(Duration.ofSeconds(5));
        send(initialize("2025-11-25"));
        next();
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            batch.append(call(100 + i, "dev_test_echo", "{\"message\":\"n" + i + "\"}")).append('\n');
        }
        toServer.write(batch.toString().getBytes(StandardCharsets.UTF_8));
        toServer.flush();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            JsonNode r = next();
            int id = r.path("id").asInt();
            assertThat(r.path("result").path("structuredContent").path("message").asString()).isEqualTo("n" + (id - 100));
            seen.add(id);
        }
        assertThat(seen).hasSize(64);
    }
}
