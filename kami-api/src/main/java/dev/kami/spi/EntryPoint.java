package dev.kami.spi;

import java.util.Objects;

/**
 * One tool of a module that offers several ({@link CompiledModule#entries}): an Extism plugin's
 * {@code describe}/{@code list_tools} entry.
 *
 * @param name the module's name for it, passed back as {@link Invocation#entry()}
 * @param description what it does (may be empty)
 * @param inputSchemaJson its JSON Schema for the arguments, or null when it gives none
 */
public record EntryPoint(String name, String description, String inputSchemaJson) {
    /** Validates. */
    public EntryPoint {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
    }
}
