package dev.kami;

import java.util.Objects;

/**
 * One line a guest logged through {@code kami.log} (or, for WASI tools, nothing: their stderr is
 * kept as the message of a failed call).
 *
 * @param level 0 trace, 1 debug, 2 info, 3 warn, 4 error
 * @param message the text, already capped
 */
public record LogEntry(int level, String message) {
    /** Validates. */
    public LogEntry {
        if (level < 0 || level > 4) {
            throw new IllegalArgumentException("log level must be 0..4 (trace..error), got " + level);
        }
        Objects.requireNonNull(message, "message");
    }

    /** @return the level's name: TRACE, DEBUG, INFO, WARN or ERROR */
    public String levelName() {
        return switch (level) {
            case 0 -> "TRACE";
            case 1 -> "DEBUG";
            case 2 -> "INFO";
            case 3 -> "WARN";
            default -> "ERROR";
        };
    }
}
