package dev.kami;

import java.time.Duration;

/**
 * Observes a {@link Kami}: calls, compilations, cache and tool changes. Every method has a no-op
 * default, so implement only what you need. Methods are called on KAMI's threads and must be
 * quick and must not throw (an exception is logged and ignored). Register at build time with
 * {@link Kami.Builder#listener} or later with {@link Kami#subscribe}.
 */
public interface KamiListener {

    /** A call was accepted and queued. */
    default void callQueued(String toolId) {
    }

    /** A call finished (successfully or with a tool error); {@code result.timings()} tells where time went. */
    default void callFinished(String toolId, ToolResult result) {
    }

    /** A call was refused before running (busy, closed, not found). */
    default void callRejected(String toolId, String reason) {
    }

    /** A module was compiled. */
    default void moduleCompiled(String sha256, Duration took) {
    }

    /** A compiled module was evicted from the cache. */
    default void moduleEvicted(String sha256) {
    }

    /** The set of tools changed (install, update, removal, enable, disable, grants). */
    default void toolsChanged(ToolChange change) {
    }
}
