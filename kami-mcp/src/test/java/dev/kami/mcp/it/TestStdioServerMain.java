package dev.kami.mcp.it;

import dev.kami.Kami;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
import dev.kami.mcp.stdio.StdioServer;
import dev.kami.mcp.testkit.FakeKami;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A stdio MCP server for the SDK client tests, run as a child process:
 * {@code TestStdioServerMain real|fake [triggerDir]}. With {@code real}, a real in-memory Kami
 * with the test tools; when a file {@code install} appears in {@code triggerDir}, it installs
 * {@code dev.mcp.installed} (so the test can observe list-changed). Reports each started call on stderr as
 * {@code KAMI-TEST started <tool>} and each cancelled call as {@code KAMI-TEST cancelled <tool> <micros>} (time from the cancel notification to
 * the call's end, measured in the server).
 */
public final class TestStdioServerMain {
    private TestStdioServerMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        System.setOut(System.err); // nothing but MCP on the real stdout
        boolean real = args.length > 0 && args[0].equals("real");
        Kami kami = real ? RealKami.withTools() : FakeKami.standard();
        McpServer mcp = McpServer.builder(kami).pageSize(2).listener(new McpServerListener() {
            @Override
            public void callStarted(String toolName) {
                System.err.println("KAMI-TEST started " + toolName);
                System.err.flush();
            }

            @Override
            public void callCancelled(String toolName, Duration sinceCancel) {
                System.err.println("KAMI-TEST cancelled " + toolName + " " + sinceCancel.toNanos() / 1000);
                System.err.flush();
            }
        }).build();
        if (real && args.length > 1) {
            Path trigger = Path.of(args[1], "install");
            Thread watcher = new Thread(() -> {
                try {
                    while (true) {
                        if (Files.deleteIfExists(trigger)) {
                            kami.install(RealKami.installablePackage());
                        }
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    System.err.println("KAMI-TEST install watcher failed: " + e);
                }
            }, "install-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        StdioServer server = StdioServer.start(mcp, System.in, out, Duration.ofSeconds(5), true);
        server.awaitTermination();
        kami.close();
        System.exit(0);
    }
}
