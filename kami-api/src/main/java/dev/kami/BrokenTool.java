package dev.kami;

import java.util.Objects;

/**
 * An installed tool that cannot be served because its registry row is damaged: its stored
 * manifest, grants or module cannot be read, its module's SHA-256 no longer matches the one
 * recorded at install, its signature no longer verifies, or the row's own columns cannot be read.
 * A broken tool is quarantined: {@link Kami#list()} leaves it out, calls to it are refused with
 * {@link #reason()}, and every other tool keeps working. It can be uninstalled
 * ({@link Kami#uninstall}) or reinstalled with force ({@link InstallOptions#force()}). Immutable.
 *
 * <pre>{@code
 * for (BrokenTool b : kami.broken()) {
 *     log.warn("{} is quarantined: {}", b.id(), b.reason());
 * }
 * }</pre>
 *
 * @param id the tool id as stored (it may itself be the damaged value)
 * @param version the version as stored, or {@code ""} when it cannot be read
 * @param reason what is damaged, with the value, and what to do
 */
public record BrokenTool(String id, String version, String reason) {
    /** Validates. */
    public BrokenTool {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
    }
}
