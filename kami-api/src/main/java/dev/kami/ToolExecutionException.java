package dev.kami;

import java.util.Objects;

/**
 * A tool call failed inside the sandbox. Thrown by {@link ToolResult#orThrow()}; {@link Kami#call}
 * itself returns tool failures as a {@link ToolResult} with {@code isError() == true}.
 */
public class ToolExecutionException extends KamiException {
    private static final long serialVersionUID = 1L;

    private final ToolErrorKind kind;

    /**
     * @param kind what kind of failure
     * @param message what failed, naming the tool and the limit
     */
    public ToolExecutionException(ToolErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** @return what kind of failure */
    public ToolErrorKind kind() {
        return kind;
    }
}
