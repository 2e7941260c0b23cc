package dev.kami;

import dev.kami.manifest.ToolId;
import java.util.Objects;

/**
 * A change to the set of tools, as told to {@link KamiListener#toolsChanged}.
 *
 * @param id the tool
 * @param kind what happened
 */
public record ToolChange(ToolId id, Kind kind) {
    /** Validates. */
    public ToolChange {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
    }

    /** What happened to a tool. */
    public enum Kind {
        /** Installed. */
        INSTALLED,
        /** Replaced by another version. */
        UPDATED,
        /** Uninstalled. */
        REMOVED,
        /** Enabled. */
        ENABLED,
        /** Disabled. */
        DISABLED,
        /** Its grants changed. */
        GRANTS_CHANGED,
        /** Pinned or unpinned. */
        PINNED
    }
}
