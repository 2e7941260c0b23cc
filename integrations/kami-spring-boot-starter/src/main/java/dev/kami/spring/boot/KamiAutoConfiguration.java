package dev.kami.spring.boot;

import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.servlet.McpServlet;
import dev.kami.policy.HostPolicy;
import dev.kami.springai.KamiToolCallbackProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures a {@link Kami} from the {@code kami.*} properties ({@link KamiProperties}), and
 * in a servlet web application the MCP endpoint at {@code kami.mcp.path} ({@code /mcp}) through
 * {@link McpServlet}. With Spring Boot's health module (Actuator) it contributes {@code kami} to
 * the health endpoint; with Spring AI and {@code kami-spring-ai} it offers the tools as a
 * {@code ToolCallbackProvider}. Each bean backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(KamiProperties.class)
public class KamiAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(KamiAutoConfiguration.class);

    /** Creates the auto-configuration (called by Spring). */
    public KamiAutoConfiguration() {
    }

    /**
     * The {@link Kami}: engine and store discovered as usual, configured from {@code kami.*}, with
     * the {@code kami.tools.install} packages installed.
     *
     * @param properties the {@code kami.*} properties
     * @return the Kami, closed with the application context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Kami kami(KamiProperties properties) {
        Kami.Builder b = Kami.builder();
        if (properties.isInMemory()) {
            b.inMemory();
        } else if (properties.getStoreUrl() != null && !properties.getStoreUrl().isBlank()) {
            b.storeUrl(properties.getStoreUrl());
        } else if (properties.getHome() != null && !properties.getHome().isBlank()) {
            b.home(Path.of(properties.getHome()));
        }
        if (properties.getEngine().getMode() != null) {
            b.engineOption("mode", properties.getEngine().getMode());
        }
        if (properties.getPolicy().isSet()) {
            b.policy(policy(properties.getPolicy()));
        }
        Kami kami = b.build();
        try {
            for (String source : properties.getTools().getInstall()) {
                installAtStartup(kami, source);
            }
        } catch (RuntimeException e) {
            kami.close();
            throw e;
        }
        return kami;
    }

    private static HostPolicy policy(KamiProperties.Policy p) {
        HostPolicy.Builder b = HostPolicy.defaults().toBuilder();
        if (p.getMaxMemoryMb() != null) {
            b.maxMemoryMb(p.getMaxMemoryMb());
        }
        if (p.getMaxExecutionMs() != null) {
            b.maxExecutionMs(p.getMaxExecutionMs());
        }
        if (p.getMaxFuel() != null) {
            b.maxFuel(p.getMaxFuel());
        }
        if (p.getMaxOutputBytes() != null) {
            b.maxOutputBytes(p.getMaxOutputBytes());
        }
        if (!p.getAllowedHosts().isEmpty()) {
            b.allowHosts(p.getAllowedHosts().toArray(String[]::new));
        }
        if (!p.getAllowedEnv().isEmpty()) {
            b.allowEnv(p.getAllowedEnv().toArray(String[]::new));
        }
        if (!p.getRequireSignatures().isEmpty()) {
            b.requireSignatures(p.getRequireSignatures().toArray(String[]::new));
        }
        return b.build();
    }

    /** Installs a package unless the same module is installed already (a restart with a persistent registry). */
    static void installAtStartup(Kami kami, String source) {
        Path path = Path.of(source);
        if (!Files.exists(path)) {
            throw new IllegalStateException("kami.tools.install: no tool package at '" + source + "' (resolved to "
                    + path.toAbsolutePath().normalize() + "); give a package directory or .zip file");
        }
        InstalledTool candidate = kami.validate(path);
        String id = candidate.record().id().value();
        Optional<InstalledTool> present = kami.find(id);
        if (present.isPresent() && present.get().record().version().equals(candidate.record().version())
                && present.get().record().moduleSha256().equals(candidate.record().moduleSha256())) {
            LOG.debug("kami.tools.install: {} {} is installed already", id, candidate.record().version());
            return;
        }
        InstalledTool t = kami.install(path.toString(), InstallOptions.defaults().withForce(present.isPresent()));
        LOG.info("kami.tools.install: installed {} {} from {}", id, t.record().version(), source);
    }

    /** The MCP endpoint in a servlet web application ({@code kami.mcp.enabled}, default true). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({McpServlet.class, ServletRegistrationBean.class})
    @ConditionalOnProperty(prefix = "kami.mcp", name = "enabled", havingValue = "true", matchIfMissing = true)
    public static class McpEndpointConfiguration {

        /** Creates the configuration (called by Spring). */
        public McpEndpointConfiguration() {
        }

        /**
         * @param kami the Kami whose tools are served
         * @return the MCP protocol core, closed with the application context
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        public McpServer kamiMcpServer(Kami kami) {
            return McpServer.builder(kami).build();
        }

        /**
         * The servlet at {@code kami.mcp.path}, async-supported. A {@link TokenValidator} bean wins
         * over {@code kami.mcp.token}.
         *
         * @param mcp the protocol core
         * @param properties the {@code kami.*} properties
         * @param validator the application's token validator, if any
         * @return the registration
         */
        @Bean
        @ConditionalOnMissingBean(name = "kamiMcpServlet")
        public ServletRegistrationBean<McpServlet> kamiMcpServlet(McpServer mcp, KamiProperties properties,
                ObjectProvider<TokenValidator> validator) {
            KamiProperties.Mcp p = properties.getMcp();
            String path = p.getPath();
            if (path == null || !path.startsWith("/") || path.contains("*")) {
                throw new IllegalStateException("kami.mcp.path must be a path starting with '/' and without '*', got '"
                        + path + "'");
            }
            McpServlet.Builder b = McpServlet.builder(mcp).allowedOrigins(p.getAllowedOrigins())
                    .allowedHosts(p.getAllowedHosts());
            if (p.getMaxRequestBytes() != null) {
                b.maxRequestBytes(p.getMaxRequestBytes());
            }
            if (p.getMaxSessions() != null) {
                b.maxSessions(p.getMaxSessions());
            }
            if (p.getMaxSessionsPerClient() != null) {
                b.maxSessionsPerClient(p.getMaxSessionsPerClient());
            }
            if (p.getKeepAlive() != null) {
                b.keepAlive(p.getKeepAlive());
            }
            TokenValidator v = validator.getIfAvailable();
            if (v != null) {
                b.tokenValidator(v);
            } else if (p.getToken() != null && !p.getToken().isBlank()) {
                b.tokenValidator(TokenValidator.constant(p.getToken()));
            }
            ServletRegistrationBean<McpServlet> r = new ServletRegistrationBean<>(b.build(), path);
            r.setName("kamiMcpServlet");
            r.setAsyncSupported(true);
            r.setLoadOnStartup(1);
            return r;
        }
    }

    /** The {@code kami} health contributor, when Spring Boot's health module (Actuator) is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    public static class HealthConfiguration {

        /** Creates the configuration (called by Spring). */
        public HealthConfiguration() {
        }

        /**
         * @param kami the Kami to report on
         * @param mcp the MCP server, when the endpoint is on
         * @return the {@code kami} health indicator
         */
        @Bean
        @ConditionalOnMissingBean(name = "kamiHealthIndicator")
        public KamiHealthIndicator kamiHealthIndicator(Kami kami, ObjectProvider<McpServer> mcp) {
            return new KamiHealthIndicator(kami, mcp);
        }
    }

    /** The tools as a Spring AI {@code ToolCallbackProvider}, when Spring AI and kami-spring-ai are present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.kami.springai.KamiToolCallbackProvider",
            "org.springframework.ai.tool.ToolCallbackProvider"})
    public static class SpringAiConfiguration {

        /** Creates the configuration (called by Spring). */
        public SpringAiConfiguration() {
        }

        /**
         * @param kami the Kami whose enabled tools are offered (read at every call to the provider)
         * @return the provider
         */
        @Bean
        @ConditionalOnMissingBean
        public KamiToolCallbackProvider kamiToolCallbackProvider(Kami kami) {
            return KamiToolCallbackProvider.of(kami);
        }
    }
}
