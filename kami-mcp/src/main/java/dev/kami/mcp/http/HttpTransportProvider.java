package dev.kami.mcp.http;

import dev.kami.ConfigurationException;
import dev.kami.Kami;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpServerOptions;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import dev.kami.spi.TransportProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Serves MCP over Streamable HTTP ({@code kami.serve("http", config)}).
 *
 * <p>Options: {@code bind} (default 127.0.0.1), {@code port} (default 8080; 0 = ephemeral),
 * {@code token} (a shared bearer token), {@code allowedOrigins} and {@code allowedHosts}
 * (comma-separated), {@code maxRequestBytes}, {@code threads}, {@code queueCapacity},
 * {@code maxSessions}, {@code maxSessionsPerClient}, {@code unusedSessionTimeoutMs},
 * {@code sessionIdleTimeoutMs}, {@code maxConnections}, {@code maxConnectionsPerClient},
 * {@code headTimeoutMs}, {@code bodyTimeoutMs}, {@code idleTimeoutMs}, plus those of
 * {@link McpServerOptions}. Extension {@code "tokenValidator"}: a {@link TokenValidator}
 * (takes precedence over {@code token}); one with a {@link TokenValidator#protectedResource()},
 * such as kami-mcp-oauth's {@code JwtTokenValidator}, makes the endpoint an OAuth 2.1 resource
 * server (metadata, challenges, scopes per tool; ADR 0308).
 */
public final class HttpTransportProvider implements TransportProvider {

    /** Creates the provider (called by {@code ServiceLoader}). */
    public HttpTransportProvider() {
    }

    @Override
    public String id() {
        return "http";
    }

    @Override
    public Server start(Kami kami, TransportConfig config) {
        McpServer mcp = McpServerOptions.apply(McpServer.builder(kami), config).build();
        try {
            McpHttpServer.Builder b = McpHttpServer.builder(mcp)
                    .bind(config.option("bind", "127.0.0.1"))
                    .port((int) McpServerOptions.longOption(config, "port", 8080, 0, 65535))
                    .allowedOrigins(list(config.option("allowedOrigins", "")))
                    .allowedHosts(list(config.option("allowedHosts", "")))
                    .closeMcpServer(true);
            if (config.options().containsKey("maxRequestBytes")) {
                b.maxRequestBytes((int) McpServerOptions.longOption(config, "maxRequestBytes", 0, 1024, Integer.MAX_VALUE));
            }
            if (config.options().containsKey("threads")) {
                b.threads((int) McpServerOptions.longOption(config, "threads", 16, 2, 1024));
            }
            if (config.options().containsKey("queueCapacity")) {
                b.queueCapacity((int) McpServerOptions.longOption(config, "queueCapacity", 1024, 1, 1_000_000));
            }
            if (config.options().containsKey("maxSessions")) {
                b.maxSessions((int) McpServerOptions.longOption(config, "maxSessions", 1024, 1, 1_000_000));
            }
            if (config.options().containsKey("maxSessionsPerClient")) {
                b.maxSessionsPerClient((int) McpServerOptions.longOption(config, "maxSessionsPerClient", 64, 1, 1_000_000));
            }
            if (config.options().containsKey("maxConnections")) {
                b.maxConnections((int) McpServerOptions.longOption(config, "maxConnections", 4096, 1, 1_000_000));
            }
            if (config.options().containsKey("maxConnectionsPerClient")) {
                b.maxConnectionsPerClient((int) McpServerOptions.longOption(config, "maxConnectionsPerClient", 256, 1,
                        1_000_000));
            }
            millis(config, "unusedSessionTimeoutMs", b::unusedSessionTimeout);
            millis(config, "sessionIdleTimeoutMs", b::sessionIdleTimeout);
            millis(config, "headTimeoutMs", b::headTimeout);
            millis(config, "bodyTimeoutMs", b::bodyTimeout);
            millis(config, "idleTimeoutMs", b::idleTimeout);
            TokenValidator v = config.extension("tokenValidator", TokenValidator.class);
            String token = config.option("token", null);
            if (v != null) {
                b.tokenValidator(v);
            } else if (token != null && !token.isBlank()) {
                b.tokenValidator(TokenValidator.constant(token));
            }
            return b.start();
        } catch (IllegalArgumentException | ClassCastException | java.io.UncheckedIOException e) {
            mcp.close();
            throw new ConfigurationException("cannot start the MCP HTTP transport: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            mcp.close();
            throw e;
        }
    }

    private static void millis(TransportConfig config, String name, java.util.function.Consumer<Duration> set) {
        if (config.options().containsKey(name)) {
            set.accept(Duration.ofMillis(McpServerOptions.longOption(config, name, 0, 1, 86_400_000L)));
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
