package dev.kami.mcp.servlet;

import java.nio.file.Files;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Timeout;

/** The servlet transport in embedded Tomcat 11 (Servlet 6.1). */
@Timeout(120)
class TomcatServletTest extends AbstractContainerTest {
    private Tomcat tomcat;

    @Override
    int startContainer(Map<String, McpServlet> servlets) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("kami-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        servlets.forEach((path, servlet) -> {
            String name = "mcp" + path.replace('/', '-');
            Wrapper w = Tomcat.addServlet(context, name, servlet);
            w.setAsyncSupported(true);
            context.addServletMappingDecoded(path, name);
        });
        tomcat.start();
        return connector.getLocalPort();
    }

    @Override
    void stopContainer() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
