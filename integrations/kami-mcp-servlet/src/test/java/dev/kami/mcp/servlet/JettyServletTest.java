package dev.kami.mcp.servlet;

import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Timeout;

/** The servlet transport in embedded Jetty 12 (EE 10, Servlet 6.0). */
@Timeout(120)
class JettyServletTest extends AbstractContainerTest {
    private Server server;

    @Override
    int startContainer(Map<String, McpServlet> servlets) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        servlets.forEach((path, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, path);
        });
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    @Override
    void stopContainer() throws Exception {
        server.stop();
    }
}
