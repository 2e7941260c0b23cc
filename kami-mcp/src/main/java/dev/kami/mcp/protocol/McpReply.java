package dev.kami.mcp.protocol;

/**
 * What the server answers to one incoming message: a JSON-RPC response as one line of JSON, or
 * nothing (for notifications, client responses and cancelled requests). Immutable.
 *
 * @param json the response, compact JSON without newlines, or {@code null} when there is none
 * @param errorCode the JSON-RPC error code when the response is an error, else {@code 0}; lets an
 *     HTTP host choose a status code without parsing {@code json}
 */
public record McpReply(String json, int errorCode) {
    private static final McpReply NONE = new McpReply(null, 0);

    /** Validates. */
    public McpReply {
        if (json == null && errorCode != 0) {
            throw new IllegalArgumentException("an error reply needs its JSON");
        }
    }

    /** @return the reply meaning "nothing to send" */
    public static McpReply none() {
        return NONE;
    }

    /** @return whether there is a response to send */
    public boolean isPresent() {
        return json != null;
    }

    /** @return whether the response is a JSON-RPC error */
    public boolean isError() {
        return errorCode != 0;
    }
}
