package dev.kami;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Counters and latency percentiles at one instant ({@link Kami#metrics()}). Immutable.
 *
 * @param takenAt when the snapshot was taken
 * @param tools per-tool statistics, by tool id
 * @param compilations modules compiled since start (those loaded from the registry's compiled-code
 *     cache instead are not counted)
 * @param cacheHits calls whose module was already compiled
 * @param cacheMisses calls that had to compile or load their module
 * @param cachedModules modules in the compiled-module cache now
 * @param rejected calls refused as busy
 * @param inFlight calls running now
 * @param queued calls waiting for a worker now
 */
public record MetricsSnapshot(Instant takenAt, Map<String, ToolStats> tools, long compilations, long cacheHits,
        long cacheMisses, int cachedModules, long rejected, int inFlight, int queued) {

    /** Validates and copies. */
    public MetricsSnapshot {
        Objects.requireNonNull(takenAt, "takenAt");
        tools = Map.copyOf(tools);
    }

    /**
     * One tool's statistics since start. Latencies are end-to-end, in microseconds, estimated from
     * a sliding window of recent calls.
     *
     * @param calls calls made
     * @param errors calls that ended in a tool error
     * @param errorsByKind errors by kind
     * @param p50Micros median latency
     * @param p90Micros 90th percentile
     * @param p99Micros 99th percentile
     * @param maxMicros largest latency in the window
     */
    public record ToolStats(long calls, long errors, Map<ToolErrorKind, Long> errorsByKind, long p50Micros,
            long p90Micros, long p99Micros, long maxMicros) {
        /** Copies. */
        public ToolStats {
            errorsByKind = Map.copyOf(errorsByKind);
        }
    }
}
