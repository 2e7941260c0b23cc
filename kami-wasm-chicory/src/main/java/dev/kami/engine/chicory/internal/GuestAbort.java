package dev.kami.engine.chicory.internal;

import dev.kami.ToolErrorKind;

/**
 * Thrown by KAMI's own host code (output caps, fuel, ABI checks) to stop a guest; carries the
 * kind and the final message. Never leaves the engine: {@link ChicoryCompiledModule#invoke}
 * turns it into a failed result.
 */
final class GuestAbort extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ToolErrorKind kind;

    GuestAbort(ToolErrorKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    ToolErrorKind kind() {
        return kind;
    }
}
