package dev.kami.mcp.protocol;

import dev.kami.ConfigurationException;
import dev.kami.spi.TransportConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the protocol options every transport accepts from a {@link TransportConfig}:
 * {@code serverName}, {@code serverVersion}, {@code instructions}, {@code pageSize},
 * {@code supportedVersions} (comma-separated), {@code maxMessageBytes}, {@code maxConcurrentCalls},
 * {@code maxCallsPerClient}, {@code clientQueueWaitMs},
 * {@code listTtlMs}, {@code cacheScope}; and a {@link McpServerListener} as the extension
 * {@code "listener"}.
 */
public final class McpServerOptions {
    private McpServerOptions() {
    }

    /**
     * @return {@code builder} with the options found in {@code config} applied
     * @throws ConfigurationException if an option has a bad value (the message names it)
     */
    public static McpServer.Builder apply(McpServer.Builder builder, TransportConfig config) {
        try {
            String name = config.option("serverName", null);
            String version = config.option("serverVersion", null);
            if (name != null || version != null) {
                builder.serverInfo(name != null ? name : "kami", version != null ? version : "0.1.0");
            }
            String instructions = config.option("instructions", null);
            if (instructions != null) {
                builder.instructions(instructions);
            }
            if (config.options().containsKey("pageSize")) {
                builder.pageSize((int) longOption(config, "pageSize", 50, 1, 10_000));
            }
            String versions = config.option("supportedVersions", null);
            if (versions != null) {
                List<String> list = Arrays.stream(versions.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                builder.supportedVersions(list);
            }
            if (config.options().containsKey("maxMessageBytes")) {
                builder.maxMessageBytes((int) longOption(config, "maxMessageBytes", 4 << 20, 1024, Integer.MAX_VALUE));
            }
            if (config.options().containsKey("maxConcurrentCalls")) {
                builder.maxConcurrentCalls((int) longOption(config, "maxConcurrentCalls", 256, 1, 100_000));
            }
            if (config.options().containsKey("maxCallsPerClient")) {
                builder.maxCallsPerClient((int) longOption(config, "maxCallsPerClient", Integer.MAX_VALUE, 1,
                        Integer.MAX_VALUE));
            }
            if (config.options().containsKey("clientQueueWaitMs")) {
                builder.clientQueueWait(Duration.ofMillis(longOption(config, "clientQueueWaitMs", 30_000, 0, 86_400_000L)));
            }
            if (config.options().containsKey("listTtlMs")) {
                builder.listTtl(Duration.ofMillis(longOption(config, "listTtlMs", 60_000, 0, Long.MAX_VALUE)));
            }
            String scope = config.option("cacheScope", null);
            if (scope != null) {
                builder.cacheScope(scope);
            }
            McpServerListener l = config.extension("listener", McpServerListener.class);
            if (l != null) {
                builder.listener(l);
            }
            return builder;
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ConfigurationException("bad MCP transport option: " + e.getMessage(), e);
        }
    }

    /**
     * @return the option as a number in [min, max], or {@code fallback} when absent
     * @throws ConfigurationException if it is not a number in range
     */
    public static long longOption(TransportConfig config, String name, long fallback, long min, long max) {
        String v = config.option(name, null);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option " + name + "='" + v + "' is not a number", e);
        }
        if (n < min || n > max) {
            throw new ConfigurationException("option " + name + "=" + n + " is out of range [" + min + ", " + max + "]");
        }
        return n;
    }
}
