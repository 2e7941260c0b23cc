package dev.kami.mcp.it;

import dev.kami.Kami;
import dev.kami.mcp.http.McpHttpServer;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
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

/** The official SDK client against a real KAMI (Chicory, WAT tools) over Streamable HTTP. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkClientHttpTest extends AbstractSdkClientTest {
    private final BlockingQueue<Map.Entry<String, Duration>> cancelled = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    Kami kami;
    private McpServer mcp;
    private McpHttpServer http;
    private RecordingTransport transport;
    private McpSyncClient client;

    @Override
    String echoTool() {
        return "dev_mcp_echo";
    }

    @Override
    String failTool() {
        return "dev_mcp_fail";
    }

    @Override
    String loopingTool() {
        return "dev_mcp_loop";
    }

    @Override
    void install() {
        kami.install(RealKami.installablePackage());
    }

    @Override
    String installedPrefix() {
        return "dev_mcp_installed";
    }

    @BeforeAll
    void start() throws Exception {
        kami = RealKami.withTools();
        mcp = McpServer.builder(kami).pageSize(2).listener(new McpServerListener() {
            @Override
            public void callStarted(String toolName) {
                started.add(toolName);
            }

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
    void awaitCallStarted(String tool) throws Exception {
        String t;
        while ((t = started.poll(10, TimeUnit.SECONDS)) != null) {
            if (t.equals(tool)) {
                return;
            }
        }
        throw new AssertionError("the server did not start " + tool);
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
