package dev.kami;

/**
 * A tool call hit a resource limit: memory, fuel, output size, or stack depth.
 */
public class ToolLimitException extends ToolExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param kind one of the limit kinds ({@link ToolErrorKind#isLimit()})
     * @param message names the tool and the limit
     */
    public ToolLimitException(ToolErrorKind kind, String message) {
        super(kind, message);
        if (!kind.isLimit()) {
            throw new IllegalArgumentException("not a limit kind: " + kind);
        }
    }
}
