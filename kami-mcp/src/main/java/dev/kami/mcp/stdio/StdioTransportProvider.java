package dev.kami.mcp.stdio;

import dev.kami.Kami;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerOptions;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import dev.kami.spi.TransportProvider;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Serves MCP over this process's stdin and stdout ({@code kami.serve("stdio", config)}).
 *
 * <p>Options: those of {@link McpServerOptions}, plus {@code shutdownGraceMs} (default 10000) and
 * {@code redirectSystemOut} (default {@code true}: {@code System.out} is pointed at stderr so a
 * stray {@code println} cannot corrupt the MCP channel).
 */
public final class StdioTransportProvider implements TransportProvider {

    /** Creates the provider (called by {@code ServiceLoader}). */
    public StdioTransportProvider() {
    }

    @Override
    public String id() {
        return "stdio";
    }

    @Override
    public Server start(Kami kami, TransportConfig config) {
        McpServer mcp = McpServerOptions.apply(McpServer.builder(kami), config).build();
        Duration grace = Duration.ofMillis(McpServerOptions.longOption(config, "shutdownGraceMs", 10_000, 0, 3_600_000));
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        if (Boolean.parseBoolean(config.option("redirectSystemOut", "true"))) {
            System.setOut(System.err);
        }
        return StdioServer.start(mcp, System.in, stdout, grace, true);
    }
}
