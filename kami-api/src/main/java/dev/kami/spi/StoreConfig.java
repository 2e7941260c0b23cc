package dev.kami.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link StoreProvider} is opened with.
 *
 * @param home the KAMI home directory ({@code KAMI_HOME}, default {@code ~/.kami})
 * @param url a provider-specific location (a JDBC URL), or {@code null} for the provider's
 *     default under {@code home}
 * @param options provider-specific options
 */
public record StoreConfig(Path home, String url, Map<String, String> options) {
    /** Validates and copies. */
    public StoreConfig {
        Objects.requireNonNull(home, "home");
        options = Map.copyOf(options);
    }
}
