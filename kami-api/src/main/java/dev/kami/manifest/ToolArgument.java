package dev.kami.manifest;

import java.util.Objects;

/**
 * One flat argument of a tool ({@code [[mcp.arguments]]}).
 *
 * @param name the argument's name
 * @param type its JSON type
 * @param description what it means, for the model; never null
 * @param required whether the call must give it
 */
public record ToolArgument(String name, ArgumentType type, String description, boolean required) {
    /** Validates the parts. */
    public ToolArgument {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = Objects.requireNonNullElse(description, "");
        if (name.isBlank()) {
            throw new IllegalArgumentException("argument name must not be blank");
        }
    }
}
