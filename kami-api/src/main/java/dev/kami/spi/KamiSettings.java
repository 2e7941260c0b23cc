package dev.kami.spi;

import dev.kami.KamiListener;
import dev.kami.policy.HostPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link dev.kami.Kami.Builder} collected, handed to the core's {@link KamiFactory}.
 * Users do not build this directly.
 *
 * @param engine an explicit engine, or {@code null}
 * @param engineId an engine provider id, or {@code null}
 * @param engineOptions engine options ({@link EngineConfig})
 * @param store an explicit store, or {@code null}
 * @param storeId a store provider id, or {@code null} ({@code "memory"} for the in-memory store)
 * @param storeUrl a store location (JDBC URL), or {@code null}
 * @param storeOptions store options
 * @param home the KAMI home directory
 * @param policy the host policy ceiling
 * @param workers worker threads
 * @param queueCapacity calls that may wait for a worker
 * @param queueTimeout how long a call may wait for a worker before it is refused as busy
 * @param threadStackBytes each worker's stack size
 * @param cacheMaxEntries compiled modules kept
 * @param cacheMaxBytes estimated bytes of compiled modules kept
 * @param listeners listeners registered at build time
 * @param environment the host environment that granted variables are read from
 */
public record KamiSettings(ToolEngine engine, String engineId, Map<String, String> engineOptions, ToolStore store,
        String storeId, String storeUrl, Map<String, String> storeOptions, Path home, HostPolicy policy,
        int workers, int queueCapacity, Duration queueTimeout, long threadStackBytes, int cacheMaxEntries,
        long cacheMaxBytes, List<KamiListener> listeners, Map<String, String> environment) {
    /** Validates and copies. */
    public KamiSettings {
        engineOptions = Map.copyOf(engineOptions);
        storeOptions = Map.copyOf(storeOptions);
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        listeners = List.copyOf(listeners);
        environment = Map.copyOf(environment);
    }
}
