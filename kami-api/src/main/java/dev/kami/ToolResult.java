package dev.kami;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a tool call: its output on success, or its error. A tool's failure (trap,
 * timeout, limit, bad output, non-zero status) is a result with {@link #isError()} true and a
 * message a model can act on, never an exception. Immutable.
 *
 * <pre>{@code
 * ToolResult r = kami.call("dev.kami.echo", "{\"message\":\"hi\"}");
 * if (r.isError()) log.warn("{}: {}", r.errorKind(), r.text()); else use(r.text());
 * }</pre>
 *
 * @param isError whether the call failed
 * @param errorKind why it failed, or {@code null} on success
 * @param text the output (success) or the error message (failure)
 * @param structuredJson the output as compact JSON when it is a JSON value, else {@code null}
 * @param logs what the guest logged, capped
 * @param timings where the time went
 */
public record ToolResult(boolean isError, ToolErrorKind errorKind, String text, String structuredJson,
        List<LogEntry> logs, Timings timings) {

    /** Validates and copies. */
    public ToolResult {
        Objects.requireNonNull(text, "text");
        logs = List.copyOf(logs);
        timings = Objects.requireNonNullElse(timings, Timings.NONE);
        if (isError != (errorKind != null)) {
            throw new IllegalArgumentException("errorKind must be set exactly when isError is true");
        }
        if (isError) {
            structuredJson = null;
        }
    }

    /** @return a successful result with text output only */
    public static ToolResult success(String text) {
        return new ToolResult(false, null, text, null, List.of(), Timings.NONE);
    }

    /** @return a failed result */
    public static ToolResult error(ToolErrorKind kind, String message) {
        return new ToolResult(true, Objects.requireNonNull(kind, "kind"), message, null, List.of(), Timings.NONE);
    }

    /** @return whether the output is JSON ({@link #structuredJson()} is set) */
    public boolean hasStructuredContent() {
        return structuredJson != null;
    }

    /** @return this result with other timings */
    public ToolResult withTimings(Timings t) {
        return new ToolResult(isError, errorKind, text, structuredJson, logs, t);
    }

    /**
     * @return this result when it succeeded
     * @throws ToolExecutionException (or {@link ToolTimeoutException}, {@link ToolLimitException})
     *     carrying the message when it failed
     */
    public ToolResult orThrow() {
        if (isError) {
            throw errorKind.toException(text);
        }
        return this;
    }

    /**
     * @return the text an AI model should see for this result: the output when it succeeded, else
     *     {@code "Error (KIND): message"}, so the model can tell a failure from an answer and act on
     *     its kind (the agent-framework adapters return this)
     */
    public String textForModel() {
        return isError ? "Error (" + errorKind.name() + "): " + text : text;
    }

    /**
     * Where a call's time went.
     *
     * @param queued waiting for a worker
     * @param compile resolving and compiling the module (zero on a cache hit)
     * @param run inside the engine: instantiate and execute
     * @param total end to end, as the caller saw it
     */
    public record Timings(Duration queued, Duration compile, Duration run, Duration total) {
        /** No timing recorded. */
        public static final Timings NONE = new Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        /** Validates. */
        public Timings {
            Objects.requireNonNull(queued, "queued");
            Objects.requireNonNull(compile, "compile");
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(total, "total");
        }
    }
}
