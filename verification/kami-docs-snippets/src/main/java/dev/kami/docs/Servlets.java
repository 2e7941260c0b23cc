package dev.kami.docs;

import dev.kami.Kami;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.servlet.McpServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.List;
import org.springframework.context.annotation.Bean;

/** The snippets of docs/INTEGRATION.md about servlet containers and Spring Boot. */
final class Servlets {

    private Servlets() {
    }

    static void register(Kami kami, ServletContext servletContext) {
        // tag::servlet[]
        // in a ServletContextListener, a ServletContainerInitializer, or your framework's equivalent
        McpServer mcp = McpServer.builder(kami).build();
        McpServlet servlet = McpServlet.builder(mcp)
                .tokenValidator(TokenValidator.constant(System.getenv("KAMI_TOKEN")))
                .allowedHosts(List.of("tools.example.com"))          // the names clients use, besides localhost
                .build();
        ServletRegistration.Dynamic registration = servletContext.addServlet("kami-mcp", servlet);
        registration.setAsyncSupported(true);
        registration.addMapping("/mcp");
        // end::servlet[]
    }

    /** An application's own token service, as the Spring Boot snippet assumes one. */
    interface AccessTokens {
        boolean isActive(String token, String scope);
    }

    /** A Spring Boot configuration declaring its own token check. */
    static final class BootTokens {
        // tag::boot-token[]
        @Bean
        TokenValidator kamiTokens(AccessTokens tokens) {   // AccessTokens: your own token service
            return token -> tokens.isActive(token, "kami:tools");
        }
        // end::boot-token[]
    }
}
