package dev.kami.mcp.protocol;

/**
 * JSON-RPC error codes this server answers with: the JSON-RPC 2.0 ones and the MCP 2026-07-28
 * ones from the range the specification reserves ({@code -32020} to {@code -32099}).
 */
public final class ErrorCodes {
    /** The message is not JSON (or not UTF-8). */
    public static final int PARSE_ERROR = -32700;
    /** The JSON is not a valid JSON-RPC request or notification (or is too large). */
    public static final int INVALID_REQUEST = -32600;
    /** The method is not implemented in the request's protocol era. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Missing or malformed params, an unknown tool or an invalid cursor. */
    public static final int INVALID_PARAMS = -32602;
    /** A fault in the server. */
    public static final int INTERNAL_ERROR = -32603;
    /** HTTP headers do not match the body, or a required header is missing (2026-07-28). */
    public static final int HEADER_MISMATCH = -32020;
    /** The request needs a client capability the client did not declare (2026-07-28). */
    public static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
    /** The request's protocol version is not supported (2026-07-28). */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private ErrorCodes() {
    }
}
