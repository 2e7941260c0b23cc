package dev.kami;

import java.time.Duration;

/**
 * Per-call options. Immutable; start from {@link #defaults()}.
 *
 * @param timeout the deadline for this call, or {@code null} for the tool's
 *     {@code max_execution_ms}; never above it (the shorter wins)
 * @param cancellation a token that cancels the call, or {@code null}
 */
public record CallOptions(Duration timeout, CancellationToken cancellation) {
    private static final CallOptions DEFAULTS = new CallOptions(null, null);

    /** Validates. */
    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** @return the tool's own deadline, no cancellation */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /** @return a copy with this deadline */
    public CallOptions withTimeout(Duration t) {
        return new CallOptions(t, cancellation);
    }

    /** @return a copy with this cancellation token */
    public CallOptions withCancellation(CancellationToken token) {
        return new CallOptions(timeout, token);
    }
}
