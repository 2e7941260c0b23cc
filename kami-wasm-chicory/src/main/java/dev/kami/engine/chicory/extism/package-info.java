/**
 * The {@code extism} guest ABI of the Chicory engine: Extism's kernel in Java
 * ({@code extism:host/env}), hyper-mcp's host functions ({@code extism:host/user}) and the plugin
 * contracts (hyper-mcp v1 / v2, mcp.run servlets). Used by the engine's {@code internal} package;
 * not an API for applications (they reach plugins through {@code Kami} like any tool). See
 * {@code docs/ABI.md} and {@code docs/adr/0120-extism-plugins.md}.
 */
package dev.kami.engine.chicory.extism;
