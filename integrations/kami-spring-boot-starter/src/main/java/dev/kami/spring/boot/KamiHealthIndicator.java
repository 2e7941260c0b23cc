package dev.kami.spring.boot;

import dev.kami.Kami;
import dev.kami.mcp.protocol.McpServer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports KAMI to Spring Boot's health endpoint as {@code kami}: UP with the number of installed
 * tools and the engine while the registry answers; with the MCP endpoint on, the calls running and
 * the limit, and OUT_OF_SERVICE while every call slot is taken (a balancer should send new clients
 * elsewhere for now, as {@code /health/ready} of {@code kami serve} says 503). DOWN when the
 * registry cannot be read. Thread-safe.
 */
public class KamiHealthIndicator implements HealthIndicator {
    private final Kami kami;
    private final ObjectProvider<McpServer> mcp;

    /**
     * @param kami the Kami to report on
     * @param mcp the MCP server, if the endpoint is on
     */
    public KamiHealthIndicator(Kami kami, ObjectProvider<McpServer> mcp) {
        this.kami = kami;
        this.mcp = mcp;
    }

    @Override
    public Health health() {
        int tools;
        try {
            tools = kami.list().size();
        } catch (RuntimeException e) {
            return Health.down().withDetail("error", "the tool registry cannot be read: " + e.getMessage()).build();
        }
        Health.Builder h = Health.up().withDetail("tools", tools).withDetail("engine", kami.engineDescription());
        McpServer server = mcp.getIfAvailable();
        if (server != null) {
            if (server.isClosed()) {
                return Health.down().withDetail("tools", tools).withDetail("mcp", "closed").build();
            }
            h.withDetail("callsRunning", server.inFlightCalls()).withDetail("maxConcurrentCalls",
                    server.maxConcurrentCalls());
            if (!server.admitsCalls()) {
                h.outOfService();
            }
        }
        return h.build();
    }
}
