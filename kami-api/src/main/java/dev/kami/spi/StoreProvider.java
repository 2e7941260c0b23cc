package dev.kami.spi;

/**
 * Creates {@link ToolStore}s; found by {@code ServiceLoader} (register in
 * {@code META-INF/services/dev.kami.spi.StoreProvider}) or given to the builder by id.
 */
public interface StoreProvider {
    /** @return a short, unique id ({@code "jdbc"}) used by {@code Kami.builder().store(id)} and {@code -Dkami.store} */
    String id();

    /** @return the priority when several providers are found; the single highest wins */
    default int priority() {
        return 0;
    }

    /**
     * @return an open store
     * @throws dev.kami.StoreException if it cannot be opened
     */
    ToolStore open(StoreConfig config);
}
