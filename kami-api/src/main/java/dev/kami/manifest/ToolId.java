package dev.kami.manifest;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool's id: reverse-DNS, lowercase, at least two labels, at most 128 characters
 * ({@code dev.kami.echo}). Immutable and thread-safe.
 *
 * <pre>{@code ToolId id = ToolId.of("dev.kami.echo"); id.mcpName(); // "dev_kami_echo"}</pre>
 *
 * @param value the id text
 */
public record ToolId(String value) implements Comparable<ToolId> {
    /** The pattern every id matches. */
    public static final Pattern PATTERN = Pattern.compile("^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+$");
    /** The longest id accepted. */
    public static final int MAX_LENGTH = 128;

    /**
     * @throws IllegalArgumentException if the value is not a valid id; the message shows the value
     *     and the expected form
     */
    public ToolId {
        Objects.requireNonNull(value, "value");
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("tool id '" + value + "' is " + value.length()
                    + " characters; at most " + MAX_LENGTH + " are allowed");
        }
        if (!PATTERN.matcher(value).matches()) {
            throw new IllegalArgumentException("tool id '" + value
                    + "' is not reverse-DNS lowercase (expected e.g. 'dev.kami.echo': letters, digits and"
                    + " '-' in two or more '.'-separated labels, starting with a letter)");
        }
    }

    /** @return the id for {@code value} */
    public static ToolId of(String value) {
        return new ToolId(value);
    }

    /** @return whether {@code value} is a valid id */
    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && PATTERN.matcher(value).matches();
    }

    /**
     * The name MCP clients see: the id with {@code '.'} mapped to {@code '_'}, cut to 64
     * characters, so it matches {@code ^[a-zA-Z0-9_-]{1,64}$}.
     *
     * @return the MCP tool name
     */
    public String mcpName() {
        String name = value.replace('.', '_');
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    @Override
    public int compareTo(ToolId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
