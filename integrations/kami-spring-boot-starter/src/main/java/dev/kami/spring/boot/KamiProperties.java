package dev.kami.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code kami.*} properties of a Spring Boot application: where the registry lives, the engine
 * mode, the host policy's ceilings, the tools to install at startup, and the MCP endpoint.
 *
 * <pre>
 * kami.home=/var/lib/kami
 * kami.engine.mode=compiled
 * kami.policy.max-memory-mb=128
 * kami.tools.install=tools/echo,tools/weather.zip
 * kami.mcp.path=/mcp
 * kami.mcp.token=${KAMI_TOKEN}
 * </pre>
 *
 * Mutable while Spring binds it; read only afterwards. Not thread-safe.
 */
@ConfigurationProperties(prefix = "kami")
public class KamiProperties {
    /** The KAMI home directory (registry at {@code home/registry.db}); default {@code $KAMI_HOME} or {@code ~/.kami}. */
    private String home;
    /** A JDBC URL of the registry (SQLite or PostgreSQL); wins over {@code home}. */
    private String storeUrl;
    /** Keep the registry in memory (nothing survives a restart). */
    private boolean inMemory;
    private final Engine engine = new Engine();
    private final Policy policy = new Policy();
    private final Tools tools = new Tools();
    private final Mcp mcp = new Mcp();

    public String getHome() {
        return home;
    }

    public void setHome(String home) {
        this.home = home;
    }

    public String getStoreUrl() {
        return storeUrl;
    }

    public void setStoreUrl(String storeUrl) {
        this.storeUrl = storeUrl;
    }

    public boolean isInMemory() {
        return inMemory;
    }

    public void setInMemory(boolean inMemory) {
        this.inMemory = inMemory;
    }

    public Engine getEngine() {
        return engine;
    }

    public Policy getPolicy() {
        return policy;
    }

    public Tools getTools() {
        return tools;
    }

    public Mcp getMcp() {
        return mcp;
    }

    /** {@code kami.engine.*}. */
    public static class Engine {
        /** {@code compiled} (fast, the default) or {@code interpreter} (fuel enforced). */
        private String mode;

        public String getMode() {
            return mode;
        }

        public void setMode(String mode) {
            this.mode = mode;
        }
    }

    /** {@code kami.policy.*}: the host policy's ceilings; unset ones keep KAMI's defaults. */
    public static class Policy {
        private Integer maxMemoryMb;
        private Long maxExecutionMs;
        private Long maxFuel;
        private Long maxOutputBytes;
        /** Host patterns tools may be granted (outbound HTTP). */
        private List<String> allowedHosts = new ArrayList<>();
        /** Environment variables tools may be granted. */
        private List<String> allowedEnv = new ArrayList<>();
        /** Ed25519 public keys (hex); when set, only tools signed by one of them install. */
        private List<String> requireSignatures = new ArrayList<>();

        public Integer getMaxMemoryMb() {
            return maxMemoryMb;
        }

        public void setMaxMemoryMb(Integer maxMemoryMb) {
            this.maxMemoryMb = maxMemoryMb;
        }

        public Long getMaxExecutionMs() {
            return maxExecutionMs;
        }

        public void setMaxExecutionMs(Long maxExecutionMs) {
            this.maxExecutionMs = maxExecutionMs;
        }

        public Long getMaxFuel() {
            return maxFuel;
        }

        public void setMaxFuel(Long maxFuel) {
            this.maxFuel = maxFuel;
        }

        public Long getMaxOutputBytes() {
            return maxOutputBytes;
        }

        public void setMaxOutputBytes(Long maxOutputBytes) {
            this.maxOutputBytes = maxOutputBytes;
        }

        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }

        public List<String> getAllowedEnv() {
            return allowedEnv;
        }

        public void setAllowedEnv(List<String> allowedEnv) {
            this.allowedEnv = allowedEnv;
        }

        public List<String> getRequireSignatures() {
            return requireSignatures;
        }

        public void setRequireSignatures(List<String> requireSignatures) {
            this.requireSignatures = requireSignatures;
        }

        boolean isSet() {
            return maxMemoryMb != null || maxExecutionMs != null || maxFuel != null || maxOutputBytes != null
                    || !allowedHosts.isEmpty() || !allowedEnv.isEmpty() || !requireSignatures.isEmpty();
        }
    }

    /** {@code kami.tools.*}. */
    public static class Tools {
        /**
         * Tool packages (directories or {@code .zip} files) installed at startup: a tool already
         * installed with the same module is kept, another version or build of it is replaced.
         */
        private List<String> install = new ArrayList<>();

        public List<String> getInstall() {
            return install;
        }

        public void setInstall(List<String> install) {
            this.install = install;
        }
    }

    /** {@code kami.mcp.*}: the MCP endpoint served through the servlet transport. */
    public static class Mcp {
        /** Whether to serve MCP (default true, in a servlet web application). */
        private boolean enabled = true;
        /** The endpoint path (default {@code /mcp}). */
        private String path = "/mcp";
        /** A shared bearer token the clients must send; a {@code TokenValidator} bean wins over it. */
        private String token;
        /** Browser origins allowed besides localhost ones. */
        private List<String> allowedOrigins = new ArrayList<>();
        /** Host names the clients use besides localhost ones ({@code *}: any). */
        private List<String> allowedHosts = new ArrayList<>();
        /** The largest request body in bytes (default: the MCP server's message limit, 4 MiB). */
        private Integer maxRequestBytes;
        /** Legacy sessions open at once (default 1024). */
        private Integer maxSessions;
        /** Legacy sessions one client address may hold (default 64). */
        private Integer maxSessionsPerClient;
        /** How often a running 2026-07-28 call's SSE stream gets a comment (default 500 ms). */
        private Duration keepAlive;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }

        public Integer getMaxRequestBytes() {
            return maxRequestBytes;
        }

        public void setMaxRequestBytes(Integer maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
        }

        public Integer getMaxSessions() {
            return maxSessions;
        }

        public void setMaxSessions(Integer maxSessions) {
            this.maxSessions = maxSessions;
        }

        public Integer getMaxSessionsPerClient() {
            return maxSessionsPerClient;
        }

        public void setMaxSessionsPerClient(Integer maxSessionsPerClient) {
            this.maxSessionsPerClient = maxSessionsPerClient;
        }

        public Duration getKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }
    }
}
