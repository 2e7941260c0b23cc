package dev.kami.spi;

import java.util.Map;

/**
 * Engine-wide settings. Options every engine reads are named here; others are the provider's own
 * (documented by it).
 *
 * @param options settings by name
 */
public record EngineConfig(Map<String, String> options) {
    /** {@code compiled} (default) or {@code interpreter}. */
    public static final String MODE = "mode";
    /** Largest HTTP response body a guest may receive, in bytes (default 4 MiB). */
    public static final String HTTP_MAX_RESPONSE_BYTES = "http.maxResponseBytes";
    /** Timeout of one outbound HTTP request, in milliseconds (default 10000; never past the call's deadline). */
    public static final String HTTP_TIMEOUT_MS = "http.timeoutMs";
    /** Most outbound HTTP requests in one call (default 16). */
    public static final String HTTP_MAX_REQUESTS = "http.maxRequests";

    /** Copies. */
    public EngineConfig {
        options = Map.copyOf(options);
    }

    /** @return the defaults */
    public static EngineConfig defaults() {
        return new EngineConfig(Map.of());
    }

    /** @return the option's value, or {@code fallback} */
    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * @return the option as a long, or {@code fallback}
     * @throws IllegalArgumentException if the value is not a number, naming the option
     */
    public long longOption(String name, long fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("engine option " + name + "='" + v + "' is not a whole number", e);
        }
    }
}
