/**
 * Spring Boot auto-configuration of KAMI: a {@code Kami} bean from {@code kami.*} properties, the
 * MCP endpoint at {@code /mcp}, an Actuator health contributor and the Spring AI tool callbacks.
 */
package dev.kami.spring.boot;
