package dev.kami.spi;

/**
 * Creates {@link ToolEngine}s; found by {@code ServiceLoader} (register in
 * {@code META-INF/services/dev.kami.spi.EngineProvider}) or given to the builder by id.
 */
public interface EngineProvider {
    /** @return a short, unique id ({@code "chicory"}) used by {@code Kami.builder().engine(id)} and {@code -Dkami.engine} */
    String id();

    /** @return the priority when several providers are found; the single highest wins */
    default int priority() {
        return 0;
    }

    /** @return a new engine */
    ToolEngine create(EngineConfig config);
}
