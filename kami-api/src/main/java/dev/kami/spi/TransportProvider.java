package dev.kami.spi;

import dev.kami.Kami;

/**
 * Serves a {@link Kami}'s tools to agents over a transport (MCP over stdio, Streamable HTTP);
 * found by {@code ServiceLoader} (register in {@code META-INF/services/dev.kami.spi.TransportProvider}).
 * Used through {@link Kami#serve}.
 */
public interface TransportProvider {
    /** @return a short, unique id ({@code "stdio"}, {@code "http"}) */
    String id();

    /** @return the priority among providers of the same id */
    default int priority() {
        return 0;
    }

    /**
     * Starts serving. Returns once the transport accepts traffic.
     *
     * @return the running server
     */
    Server start(Kami kami, TransportConfig config);
}
