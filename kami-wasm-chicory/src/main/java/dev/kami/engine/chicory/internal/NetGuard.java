package dev.kami.engine.chicory.internal;

import dev.kami.policy.NetPatterns;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a guest may reach a host and port under its net grant (docs/ABI.md "Outbound
 * HTTP"): the host must match a grant pattern; the host is resolved here, by the host, and every
 * address must be public, or be a loopback / private / link-local / metadata address whose IP
 * literal was itself granted. Stateless and thread-safe.
 */
final class NetGuard {
    private NetGuard() {
    }

    /** The outcome of a check: {@code denial == null} when allowed. */
    record Verdict(String denial, String errorKind) {
        static final Verdict ALLOWED = new Verdict(null, null);

        boolean allowed() {
            return denial == null;
        }
    }

    /** Looks a host name up; an IP literal is parsed, never looked up. */
    interface Resolver {
        InetAddress[] resolve(String host) throws IOException;
    }

    static Verdict check(List<String> grant, String rawHost, int port, Resolver resolver) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!NetPatterns.anyMatches(grant, host, port)) {
            return new Verdict("host '" + host + "' (port " + port + ") is not in the tool's net grant " + grant,
                    "denied");
        }
        boolean literal = NetPatterns.isIpLiteral(host);
        boolean localName = host.equals("localhost") || host.endsWith(".localhost");
        InetAddress[] addresses;
        try {
            // an IP literal is parsed, not looked up; a name is resolved once, here
            addresses = literal ? InetAddress.getAllByName(host) : resolver.resolve(host);
        } catch (UnknownHostException e) {
            return new Verdict("cannot resolve host '" + host + "'", "io");
        } catch (IOException e) {
            return new Verdict("cannot resolve host '" + host + "': " + e.getMessage(), "io");
        } catch (RuntimeException e) {
            return new Verdict("invalid host '" + host + "': " + e.getMessage(), "invalid_request");
        }
        for (InetAddress a : addresses) {
            String kind = localName ? "loopback" : specialKind(a);
            if (kind != null && !literalGranted(grant, a, port)) {
                return new Verdict("host '" + host + "' " + (literal ? "is" : "resolves to") + " a " + kind
                        + " address (" + a.getHostAddress() + "), refused unless that IP literal is granted; grant "
                        + grant, "denied");
            }
        }
        return Verdict.ALLOWED;
    }

    /** @return whether an IP-literal pattern of the grant names exactly this address (and port) */
    private static boolean literalGranted(List<String> grant, InetAddress address, int port) {
        for (String pattern : grant) {
            if (!NetPatterns.isIpLiteral(pattern)) {
                continue;
            }
            String p = pattern.trim();
            String hostPart = p;
            String portPart = null;
            if (p.startsWith("[")) {
                int close = p.indexOf(']');
                hostPart = p.substring(1, close);
                portPart = close + 1 < p.length() && p.charAt(close + 1) == ':' ? p.substring(close + 2) : null;
            } else if (p.indexOf(':') >= 0 && p.indexOf(':') == p.lastIndexOf(':')) {
                hostPart = p.substring(0, p.indexOf(':'));
                portPart = p.substring(p.indexOf(':') + 1);
            }
            try {
                if (InetAddress.getByName(hostPart).equals(address)
                        && (portPart == null || portPart.isEmpty() || portPart.equals(Integer.toString(port)))) {
                    return true;
                }
            } catch (UnknownHostException e) {
                // not a literal after all: it cannot grant an address
            }
        }
        return false;
    }

    /** @return what kind of non-public address this is, or null for a public one */
    static String specialKind(InetAddress a) {
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            if (b0 == 169 && b1 == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
                return "metadata";
            }
            if (a.isLinkLocalAddress()) {
                return "link-local";
            }
            if (a.isSiteLocalAddress() || (b0 == 100 && (b1 & 0xc0) == 64)) {
                return "private";
            }
            if (b0 == 0 || b0 >= 240) {
                return "reserved";
            }
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xff) == 0xfd && (b[1] & 0xff) == 0x00 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2
                    && isTail254(b)) {
                return "metadata";
            }
            if (a.isLinkLocalAddress()) {
                return "link-local";
            }
            if ((b[0] & 0xfe) == 0xfc || a.isSiteLocalAddress()) {
                return "private";
            }
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        return null;
    }

    private static boolean isTail254(byte[] b) {
        for (int i = 4; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[15] & 0xff) == 0xfe;
    }
}
