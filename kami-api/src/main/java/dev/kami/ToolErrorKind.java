package dev.kami;

/**
 * Why a tool call failed. Each kind has its own message so a model (or a person) can act on it.
 */
public enum ToolErrorKind {
    /** The guest returned a non-zero status from {@code kami_run}; the output is its message. */
    TOOL_ERROR(false),
    /** A {@code wasi-command} exited with a non-zero code; the message carries the stderr tail. */
    NON_ZERO_EXIT(false),
    /** The arguments are not valid JSON or fail the tool's input schema. */
    INVALID_ARGUMENTS(false),
    /** The guest executed {@code unreachable} or another trap not listed below. */
    TRAP(false),
    /** A memory access outside the linear memory. */
    OUT_OF_BOUNDS(false),
    /** An integer division by zero or overflow. */
    DIVIDE_BY_ZERO(false),
    /** The call stack grew past the worker's stack. */
    STACK_EXHAUSTED(true),
    /** The call passed its deadline and was interrupted. */
    TIMEOUT(false),
    /** The instruction budget ({@code max_fuel}) ran out. */
    FUEL_EXHAUSTED(true),
    /** The guest tried to grow its memory past {@code max_memory_mb}. */
    MEMORY_LIMIT(true),
    /** Output, stdout, stderr or logs exceeded their cap. */
    OUTPUT_TOO_LARGE(true),
    /** The output is not valid UTF-8, or the guest broke the ABI. */
    INVALID_OUTPUT(false),
    /** The caller cancelled the call. */
    CANCELLED(false),
    /** The host refused the call before it ran (busy, closed, disabled). */
    REJECTED(false),
    /** A fault in KAMI or a provider, not the tool; the message says what to report. */
    INTERNAL(false);

    private final boolean limit;

    ToolErrorKind(boolean limit) {
        this.limit = limit;
    }

    /** @return whether this kind is a resource limit being hit */
    public boolean isLimit() {
        return limit;
    }

    /** @return the throwable matching this kind, with the given message */
    public ToolExecutionException toException(String message) {
        if (this == TIMEOUT) {
            return new ToolTimeoutException(message);
        }
        return limit ? new ToolLimitException(this, message) : new ToolExecutionException(this, message);
    }
}
