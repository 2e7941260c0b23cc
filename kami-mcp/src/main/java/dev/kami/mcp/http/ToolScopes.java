package dev.kami.mcp.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which OAuth scopes grant which tools: the operator's mapping from a scope to tool-name patterns
 * ({@code *} matches any run of characters; matched against the tool's MCP name, the name
 * {@code tools/list} shows). A token may call a tool when it holds at least one scope mapped to
 * a pattern matching the tool. With no mapping at all ({@link #none()}) any valid token may call
 * every tool; once a mapping exists, a tool that no pattern matches is refused to every token
 * (deny by default). Immutable, thread-safe.
 *
 * <pre>{@code
 * ToolScopes s = ToolScopes.of(Map.of("tools:echo", List.of("echo"), "tools:all", List.of("*")));
 * }</pre>
 */
public final class ToolScopes {
    private static final ToolScopes NONE = new ToolScopes(Map.of());
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    private final Map<String, List<Pattern>> patterns; // scope -> patterns, in the operator's order
    private final Map<String, List<String>> source;

    private ToolScopes(Map<String, List<String>> mapping) {
        Map<String, List<Pattern>> p = new LinkedHashMap<>();
        Map<String, List<String>> s = new LinkedHashMap<>();
        mapping.forEach((scope, tools) -> {
            Objects.requireNonNull(scope, "scope");
            if (!SCOPE_TOKEN.matcher(scope).matches()) {
                throw new IllegalArgumentException("scope '" + scope + "' is not a valid OAuth scope token (RFC 6749"
                        + " 3.3: printable ASCII without spaces, quotes or backslashes)");
            }
            List<Pattern> ps = new ArrayList<>();
            for (String t : tools) {
                if (Objects.requireNonNull(t, "tool pattern").isBlank()) {
                    throw new IllegalArgumentException("scope '" + scope + "' maps a blank tool pattern; name tools"
                            + " such as 'echo' or 'dev_kami_*'");
                }
                ps.add(glob(t.trim()));
            }
            p.put(scope, List.copyOf(ps));
            s.put(scope, List.copyOf(tools));
        });
        this.patterns = p;
        this.source = s;
    }

    /** @return no mapping: every valid token may call every tool */
    public static ToolScopes none() {
        return NONE;
    }

    /**
     * @param mapping scope to tool-name patterns, in the order challenges should name scopes
     * @throws IllegalArgumentException if a scope is not an RFC 6749 scope token or a pattern is blank
     */
    public static ToolScopes of(Map<String, ? extends Collection<String>> mapping) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        mapping.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy.isEmpty() ? NONE : new ToolScopes(copy);
    }

    /** @return whether no mapping is configured */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** @return the mapped scopes, in the operator's order */
    public List<String> scopes() {
        return List.copyOf(patterns.keySet());
    }

    /** @return the mapping as given */
    public Map<String, List<String>> mapping() {
        return java.util.Collections.unmodifiableMap(source);
    }

    /** @return whether a token granting {@code granted} may call {@code tool} */
    public boolean permits(Set<String> granted, String tool) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, List<Pattern>> e : patterns.entrySet()) {
            if (granted.contains(e.getKey()) && matches(e.getValue(), tool)) {
                return true;
            }
        }
        return false;
    }

    /** @return the scopes that would grant {@code tool}, in the operator's order (empty: none does) */
    public List<String> scopesFor(String tool) {
        List<String> out = new ArrayList<>();
        patterns.forEach((scope, ps) -> {
            if (matches(ps, tool)) {
                out.add(scope);
            }
        });
        return out;
    }

    private static boolean matches(List<Pattern> ps, String tool) {
        for (Pattern p : ps) {
            if (p.matcher(tool).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String g) {
        return Pattern.compile(globRegex(g));
    }

    private static String globRegex(String g) {
        StringBuilder re = new StringBuilder();
        int start = 0;
        for (int i = g.indexOf('*'); i >= 0; i = g.indexOf('*', start)) {
            if (i > start) {
                re.append(Pattern.quote(g.substring(start, i)));
            }
            re.append(".*");
            start = i + 1;
        }
        if (start < g.length()) {
            re.append(Pattern.quote(g.substring(start)));
        }
        return re.toString();
    }

    @Override
    public String toString() {
        return "ToolScopes" + source;
    }
}
