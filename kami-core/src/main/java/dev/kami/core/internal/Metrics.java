package dev.kami.core.internal;

import dev.kami.MetricsSnapshot;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-tool call counters, errors by kind and latency percentiles over a sliding window of the
 * last {@value #WINDOW} calls, plus engine-wide counters. Recording is cheap (adders and one short
 * lock per tool); snapshots copy. Thread-safe.
 */
final class Metrics {
    static final int WINDOW = 1024;

    private final Map<String, ToolCounters> tools = new ConcurrentHashMap<>();
    final LongAdder compilations = new LongAdder();
    final LongAdder rejected = new LongAdder();

    void record(String toolId, ToolResult result, long totalNanos) {
        ToolCounters c = tools.computeIfAbsent(toolId, k -> new ToolCounters());
        c.calls.increment();
        if (result.isError()) {
            c.errors.increment();
            c.byKind.computeIfAbsent(result.errorKind(), k -> new LongAdder()).increment();
        }
        c.latency(totalNanos / 1000);
    }

    MetricsSnapshot snapshot(long cacheHits, long cacheMisses, int cached, int inFlight, int queued) {
        Map<String, MetricsSnapshot.ToolStats> stats = new HashMap<>();
        tools.forEach((id, c) -> stats.put(id, c.stats()));
        return new MetricsSnapshot(Instant.now(), stats, compilations.sum(), cacheHits, cacheMisses, cached,
                rejected.sum(), inFlight, queued);
    }

    private static final class ToolCounters {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Map<ToolErrorKind, LongAdder> byKind = new ConcurrentHashMap<>();
        private final long[] window = new long[WINDOW];
        private int next;
        private int filled;

        synchronized void latency(long micros) {
            window[next] = micros;
            next = (next + 1) % WINDOW;
            filled = Math.min(filled + 1, WINDOW);
        }

        MetricsSnapshot.ToolStats stats() {
            long[] copy;
            synchronized (this) {
                copy = Arrays.copyOf(window, filled);
            }
            Arrays.sort(copy);
            Map<ToolErrorKind, Long> kinds = new EnumMap<>(ToolErrorKind.class);
            byKind.forEach((k, v) -> kinds.put(k, v.sum()));
            return new MetricsSnapshot.ToolStats(calls.sum(), errors.sum(), kinds, percentile(copy, 50),
                    percentile(copy, 90), percentile(copy, 99), copy.length == 0 ? 0 : copy[copy.length - 1]);
        }

        private static long percentile(long[] sorted, int p) {
            if (sorted.length == 0) {
                return 0;
            }
            int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
        }
    }
}
