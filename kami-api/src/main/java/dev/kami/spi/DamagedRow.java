package dev.kami.spi;

import java.util.Objects;

/**
 * A registry row a {@link ToolStore} cannot read back as a {@link ToolRecord} (a column holds a
 * value no valid record has). {@link ToolStore#list}, {@link ToolStore#find} and
 * {@link ToolStore#findByMcpName} skip such rows, so one damaged row never makes the registry
 * unreadable; {@link ToolStore#damaged()} reports them and {@link ToolStore#removeDamaged(String)}
 * removes them. Immutable.
 *
 * @param id the id column as stored
 * @param version the version column as stored, or {@code ""}
 * @param reason which column is damaged, with its value
 */
public record DamagedRow(String id, String version, String reason) {
    /** Validates. */
    public DamagedRow {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
    }
}
