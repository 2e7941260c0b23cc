package dev.kami.mcp.http;

import dev.kami.mcp.protocol.ErrorCodes;
import dev.kami.mcp.protocol.IncomingMessage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks an MCP Streamable HTTP endpoint makes before it reads a message, independent of the
 * server it runs in (the built-in {@link McpHttpServer}, a servlet container): {@code Host} and
 * {@code Origin} against allow-lists (DNS rebinding), the bearer token, the declared body size,
 * {@code Content-Type} and {@code Accept} of a POST, and the 2026-07-28 header/body agreement.
 * A check answers {@code null} (pass) or a {@link Refusal} to send as is. Immutable, thread-safe.
 *
 * <pre>{@code
 * RequestChecks checks = RequestChecks.builder().allowedHosts(List.of("mcp.example.com"))
 *         .tokenValidator(TokenValidator.constant(secret)).maxRequestBytes(4 << 20).build();
 * RequestChecks.Refusal r = checks.checkAccess(request::getHeader);
 * }</pre>
 */
public final class RequestChecks {
    private static final Logger LOG = LoggerFactory.getLogger(RequestChecks.class);
    static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    /** The legacy session header. */
    public static final String SESSION_HEADER = "Mcp-Session-Id";
    /** The protocol version header. */
    public static final String VERSION_HEADER = "MCP-Protocol-Version";

    /**
     * A refusal: the HTTP status, extra response headers and a JSON (or text) body.
     *
     * @param status the HTTP status
     * @param headers response headers to set (e.g. {@code WWW-Authenticate}, {@code Allow})
     * @param contentType the body's media type
     * @param body the body
     */
    public record Refusal(int status, Map<String, String> headers, String contentType, String body) {
        /** Validates and copies. */
        public Refusal {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }

        static Refusal json(int status, String json) {
            return new Refusal(status, Map.of(), "application/json", json);
        }

        static Refusal error(int status, int code, String message) {
            return json(status, jsonError(code, message));
        }
    }

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;
    private final boolean anyHost;
    private final TokenValidator validator;
    private final ProtectedResource resource;
    private final int maxRequestBytes;

    private RequestChecks(Builder b) {
        Set<String> hosts = new HashSet<>(LOCAL_HOSTS);
        boolean any = false;
        for (String h : b.allowedHosts) {
            any |= h.equals("*");
            hosts.add(h.toLowerCase(Locale.ROOT));
        }
        if (b.bind != null && !b.bind.equals("0.0.0.0") && !b.bind.equals("::")) {
            hosts.add(b.bind.toLowerCase(Locale.ROOT));
        }
        this.anyHost = any;
        this.allowedHosts = Set.copyOf(hosts);
        Set<String> origins = new HashSet<>();
        for (String o : b.allowedOrigins) {
            origins.add(stripSlash(o.toLowerCase(Locale.ROOT)));
        }
        this.allowedOrigins = Set.copyOf(origins);
        this.validator = b.validator;
        this.resource = b.validator == null ? null : b.validator.protectedResource();
        this.maxRequestBytes = b.maxRequestBytes;
    }

    /** @return a builder: localhost names only, no token, a 4 MiB body limit */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the largest request body accepted */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** @return whether a bearer token is required */
    public boolean requiresToken() {
        return validator != null;
    }

    /**
     * Host, Origin and bearer token, for any method on the MCP endpoint.
     *
     * @param header a request header by name (any case), null when absent
     * @return null when the request may go on, else the refusal to send
     */
    public Refusal checkAccess(Function<String, String> header) {
        return authorize(header).refusal();
    }

    /**
     * The outcome of {@link #authorize(Function)}: a refusal to send, or what the bearer token
     * grants.
     *
     * @param refusal null when the request may go on
     * @param grant what the token grants: {@link TokenVerdict#all()} when no token is
     *     required; null with a refusal
     */
    public record Access(Refusal refusal, TokenVerdict grant) {
    }

    /**
     * As {@link #checkAccess(Function)}, also answering what the token grants, for
     * {@link #checkToolCall(TokenVerdict, String)} and {@link #toolFilter(TokenVerdict)}.
     *
     * @param header a request header by name (any case), null when absent
     * @return the access, never null
     */
    public Access authorize(Function<String, String> header) {
        if (!hostAllowed(header.apply("Host")) || !originAllowed(header.apply("Origin"))) {
            return new Access(Refusal.error(403, ErrorCodes.INVALID_REQUEST, "Forbidden: Host or Origin is not allowed"),
                    null);
        }
        if (validator == null) {
            return new Access(null, TokenVerdict.all());
        }
        String auth = header.apply("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            return new Access(new Refusal(401, Map.of("WWW-Authenticate", challenge(null, null, null)),
                    "application/json", jsonError(ErrorCodes.INVALID_REQUEST,
                            "Unauthorized: send Authorization: Bearer <token>")), null);
        }
        TokenVerdict verdict;
        try {
            verdict = validator.verify(auth.substring(7).trim());
        } catch (RuntimeException e) {
            LOG.warn("token validator failed: {}", e.toString());
            verdict = TokenVerdict.rejected("the bearer token could not be checked");
        }
        if (verdict == null || !verdict.valid()) {
            String problem = verdict == null ? "the bearer token is not valid" : verdict.problem();
            // a shared static token says no more than before; an OAuth validator says what was wrong
            String description = resource == null ? null : problem;
            return new Access(new Refusal(401, Map.of("WWW-Authenticate", challenge("invalid_token", null, description)),
                    "application/json", jsonError(ErrorCodes.INVALID_REQUEST, resource == null
                            ? "Unauthorized: the bearer token is not valid"
                            : "Unauthorized: " + problem + "; get a new token from the authorization server")), null);
        }
        return new Access(null, verdict);
    }

    /**
     * Whether a token may call a tool (the operator's scope mapping of the validator's
     * {@link ProtectedResource}). A refusal is {@code 403} with {@code WWW-Authenticate: Bearer
     * error="insufficient_scope", scope="..."} naming the scope that grants the tool (MCP
     * authorization, "Runtime Insufficient Scope Errors").
     *
     * @param grant what the token grants (from {@link #authorize(Function)})
     * @param tool the tool's name as {@code tools/call} gives it
     * @return null when the call may go on, else the refusal to send
     */
    public Refusal checkToolCall(TokenVerdict grant, String tool) {
        if (resource == null || grant == null || grant.unrestricted() || tool == null
                || resource.toolScopes().permits(grant.scopes(), tool)) {
            return null;
        }
        List<String> needed = resource.toolScopes().scopesFor(tool);
        String message;
        String scope;
        if (needed.isEmpty()) {
            scope = null;
            message = "Forbidden: no scope grants the tool '" + tool + "' on this server; ask its operator to map"
                    + " one to it";
        } else {
            scope = needed.get(0);
            message = "Forbidden: the tool '" + tool + "' needs the scope '" + scope + "'" + (needed.size() > 1
                    ? " (or one of " + needed.subList(1, needed.size()) + ")" : "") + ", which the token does not"
                    + " grant; authorize again asking for it";
        }
        return new Refusal(403, Map.of("WWW-Authenticate", challenge("insufficient_scope", scope,
                "the tool '" + tool + "' needs another scope")), "application/json",
                jsonError(ErrorCodes.INVALID_REQUEST, message));
    }

    /**
     * @param grant what the token grants
     * @return which tool names {@code tools/list} shows to this token, or null for all
     */
    public java.util.function.Predicate<String> toolFilter(TokenVerdict grant) {
        if (resource == null || grant == null || grant.unrestricted() || resource.toolScopes().isEmpty()) {
            return null;
        }
        Set<String> scopes = grant.scopes();
        ToolScopes ts = resource.toolScopes();
        return name -> ts.permits(scopes, name);
    }

    /** @return the validator's protected resource, or null when the server is not an OAuth resource server */
    public ProtectedResource protectedResource() {
        return resource;
    }

    /**
     * @param path a request path
     * @return the Protected Resource Metadata document when {@code path} serves it, else null
     */
    public String resourceMetadata(String path) {
        return resource != null && resource.metadataPaths().contains(path) ? resource.metadataJson() : null;
    }

    private String challenge(String error, String scope, String description) {
        StringBuilder b = new StringBuilder("Bearer ");
        if (resource != null) {
            b.append("resource_metadata=\"").append(resource.metadataUrl()).append('"');
        } else {
            b.append("realm=\"kami-mcp\"");
        }
        if (error != null) {
            b.append(", error=\"").append(error).append('"');
        }
        if (scope != null) {
            b.append(", scope=\"").append(scope).append('"');
        } else if (resource != null && error == null && !resource.toolScopes().isEmpty()) {
            b.append(", scope=\"").append(String.join(" ", resource.toolScopes().scopes())).append('"');
        }
        if (description != null) {
            // RFC 6750 3: error_description is printable ASCII without '"' and '\'
            b.append(", error_description=\"").append(description.replaceAll("[^\\x20-\\x7E]|[\"\\\\]", "'"))
                    .append('"');
        }
        return b.toString();
    }

    /**
     * The headers of a POST: declared size, Content-Type, Accept.
     *
     * @param header a request header by name (any case), null when absent
     * @param tooLarge a reply for a body of the given size (the MCP server's, with the limit)
     * @return null when the body may be read, else the refusal to send
     */
    public Refusal checkPost(Function<String, String> header, Function<Long, String> tooLarge) {
        String length = header.apply("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return Refusal.error(400, ErrorCodes.INVALID_REQUEST, "Bad request: Content-Length '" + length
                        + "' is not a number");
            }
            if (declared > maxRequestBytes) {
                return new Refusal(413, Map.of("Connection", "close"), "application/json", tooLarge.apply(declared));
            }
        }
        String type = header.apply("Content-Type");
        if (type != null && !type.toLowerCase(Locale.ROOT).contains("application/json")) {
            return Refusal.error(415, ErrorCodes.INVALID_REQUEST, "Unsupported media type '" + type
                    + "'; POST a JSON-RPC message as application/json");
        }
        if (!acceptsJson(header.apply("Accept")) && !acceptsSse(header.apply("Accept"))) {
            return Refusal.error(406, ErrorCodes.INVALID_REQUEST,
                    "Not acceptable: Accept must list application/json and/or text/event-stream");
        }
        return null;
    }

    /** @return whether a POST's Accept allows a JSON answer */
    public static boolean acceptsJson(String accept) {
        return accept == null || accept.contains("application/json") || accept.contains("*/*");
    }

    /** @return whether a POST's Accept allows an SSE answer */
    public static boolean acceptsSse(String accept) {
        return accept != null && accept.contains("text/event-stream");
    }

    /**
     * The 2026-07-28 rule that a request's headers repeat its body: version, method and name.
     *
     * @return null when they agree, else what disagrees (for a -32020 error)
     */
    public static String headerMismatch(Function<String, String> header, IncomingMessage m) {
        String version = header.apply(VERSION_HEADER);
        if (version == null) {
            return "the " + VERSION_HEADER + " header is required";
        }
        String bodyVersion = m.protocolVersion();
        if (bodyVersion != null && !bodyVersion.equals(version)) {
            return VERSION_HEADER + " header value '" + version + "' does not match body value '" + bodyVersion + "'";
        }
        String method = header.apply("Mcp-Method");
        if (method == null) {
            return "the Mcp-Method header is required";
        }
        if (!method.equals(m.method())) {
            return "Mcp-Method header value '" + method + "' does not match body value '" + m.method() + "'";
        }
        if ("tools/call".equals(m.method()) || "resources/read".equals(m.method()) || "prompts/get".equals(m.method())) {
            String name = header.apply("Mcp-Name");
            if (name == null) {
                return "the Mcp-Name header is required for " + m.method();
            }
            String decoded = decodeHeaderValue(name);
            if (decoded == null) {
                return "the Mcp-Name header is not valid base64 sentinel encoding";
            }
            if (!decoded.equals(m.name())) {
                return "Mcp-Name header value '" + decoded + "' does not match body value '" + m.name() + "'";
            }
        }
        return null;
    }

    static String decodeHeaderValue(String v) {
        if (v.startsWith("=?base64?") && v.endsWith("?=") && v.length() >= 11) {
            try {
                return new String(Base64.getDecoder().decode(v.substring(9, v.length() - 2)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return v;
    }

    private boolean hostAllowed(String host) {
        if (anyHost) {
            return true;
        }
        return host != null && allowedHosts.contains(hostName(host.trim().toLowerCase(Locale.ROOT)));
    }

    private static String hostName(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(0, end + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    private boolean originAllowed(String origin) {
        if (origin == null) {
            return true;
        }
        String o = stripSlash(origin.trim().toLowerCase(Locale.ROOT));
        if (allowedOrigins.contains("*") || allowedOrigins.contains(o)) {
            return true;
        }
        try {
            URI u = URI.create(o);
            String host = u.getHost();
            return host != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && LOCAL_HOSTS.contains(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** @return a JSON-RPC error without an id */
    static String jsonError(int code, String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + code + ",\"message\":"
                + HttpExchange.quote(message) + "}}";
    }

    /** Builds {@link RequestChecks}. Setters validate at once. Not thread-safe. */
    public static final class Builder {
        private final java.util.ArrayList<String> allowedHosts = new java.util.ArrayList<>();
        private final java.util.ArrayList<String> allowedOrigins = new java.util.ArrayList<>();
        private String bind;
        private TokenValidator validator;
        private int maxRequestBytes = 4 * 1024 * 1024;

        private Builder() {
        }

        /** Host names allowed in {@code Host} besides localhost ones; {@code *} allows any. */
        public Builder allowedHosts(List<String> hosts) {
            hosts.forEach(h -> allowedHosts.add(Objects.requireNonNull(h, "host")));
            return this;
        }

        /** Origins allowed besides localhost ones, e.g. {@code https://app.example.com}; {@code *} allows any. */
        public Builder allowedOrigins(List<String> origins) {
            origins.forEach(o -> allowedOrigins.add(Objects.requireNonNull(o, "origin")));
            return this;
        }

        /** The address the server binds: a specific one is an allowed Host name too. */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "bind");
            return this;
        }

        /** Requires a bearer token this validator accepts. */
        public Builder tokenValidator(TokenValidator v) {
            this.validator = Objects.requireNonNull(v, "validator");
            return this;
        }

        /** The largest request body (default 4 MiB). */
        public Builder maxRequestBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /** @return the checks */
        public RequestChecks build() {
            return new RequestChecks(this);
        }
    }
}
