package dev.kami.spi;

import dev.kami.manifest.ToolId;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of the registry's append-only history.
 *
 * @param sequence increasing number, unique in the store
 * @param id the tool
 * @param action what happened
 * @param version the tool's version after the action
 * @param detail free text (grants after the change, source, previous version), never null
 * @param at when
 */
public record HistoryEntry(long sequence, ToolId id, Action action, String version, String detail, Instant at) {
    /** Validates. */
    public HistoryEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(version, "version");
        detail = Objects.requireNonNullElse(detail, "");
        Objects.requireNonNull(at, "at");
    }

    /** What a history line records. */
    public enum Action {
        /** A first install. */
        INSTALL,
        /** Replaced by another version or reinstalled with force. */
        UPDATE,
        /** Uninstalled. */
        UNINSTALL,
        /** Enabled. */
        ENABLE,
        /** Disabled. */
        DISABLE,
        /** Pinned or unpinned. */
        PIN,
        /** Grants changed. */
        GRANT
    }
}
