package dev.kami.mcp.it;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The official SDK client against a real KAMI (Chicory, WAT tools) in a child process over stdio. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkClientStdioTest extends AbstractSdkClientTest {
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private RecordingTransport transport;
    private McpSyncClient client;

    private Path triggerDir;

    @BeforeAll
    void start() throws Exception {
        triggerDir = Files.createTempDirectory("kami-mcp-trigger");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ServerParameters params = ServerParameters.builder(java)
                .args("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                        TestStdioServerMain.class.getName(), "real", triggerDir.toString())
                .build();
        StdioClientTransport stdio = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        stdio.setStdErrorHandler(stderr::add);
        transport = new RecordingTransport(stdio);
        client = McpClient.sync(transport).requestTimeout(timeout()).initializationTimeout(timeout())
                .toolsChangeConsumer(toolChanges::add).build();
        client.initialize();
    }

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
    void install() throws Exception {
        Files.writeString(triggerDir.resolve("install"), "go");
    }

    @Override
    String installedPrefix() {
        return "dev_mcp_installed";
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.closeGracefully();
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
        awaitLine("KAMI-TEST started " + tool);
    }

    @Override
    long awaitCancelledMicros(String tool) throws Exception {
        String line = awaitLine("KAMI-TEST cancelled " + tool + " ");
        return Long.parseLong(line.substring(("KAMI-TEST cancelled " + tool + " ").length()).trim());
    }

    private String awaitLine(String prefix) throws Exception {
        for (int i = 0; i < 1000; i++) {
            for (String line : stderr) {
                if (line.startsWith(prefix)) {
                    stderr.remove(line);
                    return line;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the server did not report '" + prefix + "'; stderr: " + stderr);
    }
}
