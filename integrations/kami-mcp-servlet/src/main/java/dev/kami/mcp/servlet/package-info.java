/**
 * The MCP Streamable HTTP endpoint as a Jakarta Servlet ({@link dev.kami.mcp.servlet.McpServlet}),
 * for services that already run Tomcat, Jetty or Undertow.
 */
package dev.kami.mcp.servlet;
