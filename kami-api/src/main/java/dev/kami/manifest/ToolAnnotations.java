package dev.kami.manifest;

/**
 * MCP tool annotations ({@code [mcp.annotations]}); each is a hint, {@code null} when not given.
 *
 * @param readOnly the tool does not modify its environment
 * @param destructive the tool may perform destructive updates
 * @param idempotent calling twice with the same arguments has no additional effect
 * @param openWorld the tool interacts with an open world of external entities
 */
public record ToolAnnotations(Boolean readOnly, Boolean destructive, Boolean idempotent, Boolean openWorld) {
    /** No annotation given. */
    public static final ToolAnnotations NONE = new ToolAnnotations(null, null, null, null);

    /** @return whether no annotation is set */
    public boolean isEmpty() {
        return readOnly == null && destructive == null && idempotent == null && openWorld == null;
    }
}
