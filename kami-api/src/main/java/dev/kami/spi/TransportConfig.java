package dev.kami.spi;

import java.util.Map;

/**
 * Settings of a transport: string options (documented by the provider, e.g. {@code bind},
 * {@code port}, {@code token}, {@code allowedOrigins}) and typed extensions (a token validator, an
 * executor) by name.
 *
 * @param options string settings
 * @param extensions typed settings
 */
public record TransportConfig(Map<String, String> options, Map<String, Object> extensions) {
    /** Copies. */
    public TransportConfig {
        options = Map.copyOf(options);
        extensions = Map.copyOf(extensions);
    }

    /** @return a config with only string options */
    public static TransportConfig of(Map<String, String> options) {
        return new TransportConfig(options, Map.of());
    }

    /** @return the option's value, or {@code fallback} */
    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * @return the extension, or {@code null}
     * @throws ClassCastException if it is not of the given type
     */
    public <T> T extension(String name, Class<T> type) {
        return type.cast(extensions.get(name));
    }
}
