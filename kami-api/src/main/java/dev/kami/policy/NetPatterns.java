package dev.kami.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Host patterns as used by {@code net_allow_list}, grants and the policy ceiling: an exact host
 * ({@code api.github.com}), a suffix wildcard ({@code *.example.org}: any host under
 * {@code example.org}, not {@code example.org} itself), an IP literal ({@code 127.0.0.1},
 * {@code [::1]}), optionally with {@code :port}, or {@code *} for any host. Host matching is
 * case-insensitive. Stateless and thread-safe.
 */
public final class NetPatterns {
    private NetPatterns() {
    }

    /**
     * @param pattern a pattern
     * @param host a host name or IP literal (without brackets for IPv6), lowercase or not
     * @param port the port of the request
     * @return whether the pattern allows the host
     */
    public static boolean matches(String pattern, String host, int port) {
        String p = pattern.toLowerCase(Locale.ROOT).trim();
        String h = host.toLowerCase(Locale.ROOT);
        if (p.equals("*")) {
            return true;
        }
        int portSep = portSeparator(p);
        if (portSep >= 0) {
            String portText = p.substring(portSep + 1);
            p = p.substring(0, portSep);
            if (!portText.equals(Integer.toString(port))) {
                return false;
            }
        }
        if (p.startsWith("[") && p.endsWith("]")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("*.")) {
            return h.endsWith(p.substring(1)) && h.length() > p.length() - 1;
        }
        return p.equals(h);
    }

    /** @return whether any pattern of the list allows the host */
    public static boolean anyMatches(List<String> patterns, String host, int port) {
        for (String p : patterns) {
            if (matches(p, host, port)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether everything {@code inner} allows is also allowed by {@code outer}
     */
    public static boolean covers(String outer, String inner) {
        String o = outer.toLowerCase(Locale.ROOT).trim();
        String i = inner.toLowerCase(Locale.ROOT).trim();
        if (o.equals("*") || o.equals(i)) {
            return true;
        }
        if (i.equals("*")) {
            return false;
        }
        if (portSeparator(o) >= 0) {
            return false; // a port-restricted pattern covers only itself
        }
        int iPort = portSeparator(i);
        String iHost = iPort >= 0 ? i.substring(0, iPort) : i;
        if (o.startsWith("*.")) {
            String suffix = o.substring(1);
            String rest = iHost.startsWith("*.") ? iHost.substring(1) : "." + iHost;
            return rest.endsWith(suffix) && (iHost.startsWith("*.") ? rest.length() >= suffix.length() : rest.length() > suffix.length());
        }
        return o.equals(iHost);
    }

    /** @return whether some pattern of {@code outer} covers {@code inner} */
    public static boolean anyCovers(List<String> outer, String inner) {
        for (String o : outer) {
            if (covers(o, inner)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The patterns allowed by both lists: for each pair where one covers the other, the narrower
     * one. Order follows {@code a}; duplicates are dropped.
     *
     * @return the intersection, as patterns
     */
    public static List<String> intersect(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>();
        for (String x : a) {
            for (String y : b) {
                if (covers(y, x)) {
                    out.add(x);
                } else if (covers(x, y)) {
                    out.add(y);
                }
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    /**
     * @param pattern a pattern to check
     * @return whether the pattern is well formed
     */
    public static boolean isValid(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return false;
        }
        String p = pattern.trim();
        if (p.equals("*")) {
            return true;
        }
        int portSep = portSeparator(p);
        if (portSep >= 0) {
            String port = p.substring(portSep + 1);
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                return false;
            }
            p = p.substring(0, portSep);
        }
        if (p.startsWith("[") && p.endsWith("]")) {
            return p.substring(1, p.length() - 1).matches("[0-9a-fA-F:.]+");
        }
        if (p.startsWith("*.")) {
            p = p.substring(2);
        }
        return p.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    }

    /** @return whether the pattern names an IP literal (v4 or bracketed v6), with or without port */
    public static boolean isIpLiteral(String pattern) {
        String p = pattern.trim();
        int portSep = portSeparator(p);
        if (portSep >= 0) {
            p = p.substring(0, portSep);
        }
        if (p.startsWith("[") && p.endsWith("]")) {
            return true;
        }
        return p.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (p.contains(":") && p.matches("[0-9a-fA-F:.]+"));
    }

    private static int portSeparator(String p) {
        if (p.startsWith("[")) {
            int close = p.indexOf(']');
            return close >= 0 && close + 1 < p.length() && p.charAt(close + 1) == ':' ? close + 1 : -1;
        }
        int colon = p.lastIndexOf(':');
        // a bare IPv6 literal has several colons and no port
        return colon >= 0 && p.indexOf(':') == colon ? colon : -1;
    }
}
