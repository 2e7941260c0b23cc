package dev.kami.spi;

import dev.kami.LogEntry;
import dev.kami.ToolErrorKind;
import java.util.List;
import java.util.Objects;

/**
 * What an engine reports for one invocation.
 *
 * @param errorKind {@code null} on success, else why it failed
 * @param output the output bytes (UTF-8) on success; on failure the guest's own message bytes
 *     when it gave one, else empty
 * @param message on failure, a message naming the tool and the limit; {@code null} on success
 * @param logs the guest's {@code kami.log} lines (capped)
 * @param fuelUsed instructions counted, or -1 when the engine does not count
 */
public record EngineResult(ToolErrorKind errorKind, byte[] output, String message, List<LogEntry> logs,
        long fuelUsed) {
    /** Validates and copies the logs. */
    public EngineResult {
        Objects.requireNonNull(output, "output");
        logs = List.copyOf(logs);
        if (errorKind != null) {
            Objects.requireNonNull(message, "message is required on failure");
        }
    }

    /** @return a success */
    public static EngineResult success(byte[] output, List<LogEntry> logs, long fuelUsed) {
        return new EngineResult(null, output, null, logs, fuelUsed);
    }

    /** @return a failure */
    public static EngineResult failure(ToolErrorKind kind, String message, List<LogEntry> logs) {
        return new EngineResult(Objects.requireNonNull(kind, "kind"), new byte[0], message, logs, -1);
    }

    /** @return whether the call succeeded */
    public boolean success() {
        return errorKind == null;
    }
}
