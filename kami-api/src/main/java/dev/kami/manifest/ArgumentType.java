package dev.kami.manifest;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The JSON type of a flat {@code [[mcp.arguments]]} entry. */
public enum ArgumentType {
    /** A JSON string. */
    STRING,
    /** A JSON number. */
    NUMBER,
    /** A JSON integer. */
    INTEGER,
    /** A JSON boolean. */
    BOOLEAN,
    /** A JSON object. */
    OBJECT,
    /** A JSON array. */
    ARRAY;

    /** @return the JSON Schema type name */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the type with this JSON Schema name, if any */
    public static Optional<ArgumentType> fromJsonName(String name) {
        return Arrays.stream(values()).filter(t -> t.jsonName().equals(name)).findFirst();
    }
}
