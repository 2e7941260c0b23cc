package dev.kami.mcp.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * This MCP server as an OAuth 2.1 protected resource (RFC 9728): its resource identifier (the URI
 * clients use to reach it; tokens must name it in their audience), the authorization servers that
 * issue its tokens, and the scopes that grant its tools. A {@link TokenValidator} that returns one
 * from {@link TokenValidator#protectedResource()} makes the HTTP transport serve the metadata at
 * {@code /.well-known/oauth-protected-resource} (and at that path followed by the resource's own
 * path), name it in every {@code WWW-Authenticate} challenge, refuse a tool call without a scope
 * that grants the tool with {@code 403 insufficient_scope}, and show in {@code tools/list} only the
 * tools the token may call.
 *
 * @param resource the resource identifier, an absolute {@code https} (or loopback {@code http}) URI
 *     without fragment, e.g. {@code https://mcp.example.com/mcp}
 * @param authorizationServers the issuers of this resource's tokens (at least one)
 * @param toolScopes which scopes grant which tools
 * @param resourceName a human-readable name for consent screens, or {@code null}
 */
public record ProtectedResource(String resource, List<String> authorizationServers, ToolScopes toolScopes,
        String resourceName) {

    /** The well-known path of the metadata (RFC 9728 section 3). */
    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    /** Validates and copies. */
    public ProtectedResource {
        Objects.requireNonNull(resource, "resource");
        URI u;
        try {
            u = new URI(resource);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("the resource URI '" + resource + "' is not a URI: " + e.getReason());
        }
        if (!u.isAbsolute() || u.getHost() == null || u.getFragment() != null
                || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
            throw new IllegalArgumentException("the resource URI '" + resource + "' must be an absolute https URI"
                    + " without fragment naming this server, e.g. https://mcp.example.com/mcp");
        }
        authorizationServers = List.copyOf(authorizationServers);
        if (authorizationServers.isEmpty()) {
            throw new IllegalArgumentException("a protected resource needs at least one authorization server (issuer)");
        }
        Objects.requireNonNull(toolScopes, "toolScopes");
    }

    /** @return the URL of the metadata document named in challenges: the origin of the resource plus {@link #WELL_KNOWN} */
    public String metadataUrl() {
        URI u = URI.create(resource);
        return u.getScheme() + "://" + u.getRawAuthority() + WELL_KNOWN;
    }

    /**
     * @return the request paths that serve the metadata: {@link #WELL_KNOWN} and, when the
     *     resource has a path, {@link #WELL_KNOWN} followed by it (RFC 9728 section 3.1)
     */
    public List<String> metadataPaths() {
        String path = URI.create(resource).getRawPath();
        List<String> out = new ArrayList<>(List.of(WELL_KNOWN));
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            out.add(WELL_KNOWN + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
        }
        return List.copyOf(out);
    }

    /** @return the metadata document (RFC 9728 section 2) as JSON */
    public String metadataJson() {
        StringBuilder b = new StringBuilder("{\"resource\":").append(HttpExchange.quote(resource))
                .append(",\"authorization_servers\":").append(array(authorizationServers));
        if (!toolScopes.isEmpty()) {
            b.append(",\"scopes_supported\":").append(array(toolScopes.scopes()));
        }
        b.append(",\"bearer_methods_supported\":[\"header\"]");
        if (resourceName != null) {
            b.append(",\"resource_name\":").append(HttpExchange.quote(resourceName));
        }
        return b.append('}').toString();
    }

    private static String array(List<String> values) {
        StringBuilder b = new StringBuilder("[");
        for (String v : values) {
            b.append(b.length() > 1 ? "," : "").append(HttpExchange.quote(v));
        }
        return b.append(']').toString();
    }
}
