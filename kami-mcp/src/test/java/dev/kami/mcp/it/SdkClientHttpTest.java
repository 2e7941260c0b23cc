package dev.kami.mcp.it;

import dev.kami.Kami;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
import dev.kami.mcp.testkit.FakeKami;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The official SDK client against KAMI over Streamable HTTP. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkClientHttpTest extends AbstractSdkClientTest {
    private final BlockingQueue<Map.Entry<String, Duration>> cancelled = new LinkedBlockingQueue<>();
    Kami kami;
    private McpServer mcp;
    private McpHttpServer http;
    private RecordingTransport transport;
    private McpSyncClient client;

    Kami createKami() throws Exception {
        return FakeKami.standard();
    }

    @BeforeAll
    void start() throws Exception {
        kami = createKami();
        mcp = McpServer.builder(kami).pageSize(3).listener(new McpServerListener() {
            @Override
            public void callCancelled(String toolName, Duration sinceCancel) {
                cancelled.add(Map.entry(toolName, sinceCancel));
            }
        }).build();
        http = McpHttpServer.builder(mcp).start();
        HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + http.port())
                .endpoint("/mcp").build();
        transport = new RecordingTransport(t);
        client = McpClient.sync(transport).requestTimeout(timeout()).initializationTimeout(timeout())
                .toolsChangeConsumer(toolChanges::add).build();
        client.initialize();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        if (http != null) {
            http.close();
        }
        if (mcp != null) {
            mcp.close();
        }
        if (kami != null) {
            kami.close();
        }
    }

    @Override
    McpSyncClient client() {
        return client;
    }

    @Override
    RecordingTransport transport() {
        return transport;
    }

    @Override
    long awaitCancelledMicros(String tool) throws Exception {
        Map.Entry<String, Duration> e = cancelled.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("the server did not report the cancelled call");
        }
        return e.getValue().toNanos() / 1000;
    }
}
