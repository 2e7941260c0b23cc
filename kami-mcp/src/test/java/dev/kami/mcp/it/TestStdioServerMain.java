package dev.kami.mcp.it;

import dev.kami.Kami;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerListener;
import dev.kami.mcp.stdio.StdioServer;
import dev.kami.mcp.testkit.FakeKami;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;

/**
 * A stdio MCP server for the SDK client tests, run as a child process. Reports each cancelled
 * call on stderr as {@code KAMI-TEST cancelled <tool> <micros>} (time from the cancel
 * notification to the call's end, measured in the server).
 */
public final class TestStdioServerMain {
    private TestStdioServerMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        System.setOut(System.err); // nothing but MCP on the real stdout
        Kami kami = args.length > 0 && args[0].equals("real") ? RealKami.create() : FakeKami.standard();
        McpServer mcp = McpServer.builder(kami).pageSize(3).listener(new McpServerListener() {
            @Override
            public void callCancelled(String toolName, Duration sinceCancel) {
                System.err.println("KAMI-TEST cancelled " + toolName + " " + sinceCancel.toNanos() / 1000);
                System.err.flush();
            }
        }).build();
        StdioServer server = StdioServer.start(mcp, System.in, out, Duration.ofSeconds(5), true);
        server.awaitTermination();
        kami.close();
        System.exit(0);
    }
}
