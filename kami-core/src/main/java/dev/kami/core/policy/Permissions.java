package dev.kami.core.policy;

import dev.kami.PolicyViolationException;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolId;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.NetPatterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The permission algebra: effective = request ∩ grants ∩ policy ceiling, and the ceiling check
 * made at install. Stateless and thread-safe.
 */
public final class Permissions {
    private Permissions() {
    }

    /**
     * Everything the request asks beyond the ceiling, one line each; empty when it fits.
     *
     * @return human-readable lines such as {@code "max_memory_mb = 512 (ceiling 256)"}
     */
    public static List<String> beyondCeiling(SecurityRequest r, HostPolicy p) {
        List<String> out = new ArrayList<>();
        if (r.maxMemoryMb() > p.maxMemoryMb()) {
            out.add("max_memory_mb = " + r.maxMemoryMb() + " (ceiling " + p.maxMemoryMb() + ")");
        }
        if (r.maxExecutionMs() > p.maxExecutionMs()) {
            out.add("max_execution_ms = " + r.maxExecutionMs() + " (ceiling " + p.maxExecutionMs() + ")");
        }
        if (p.maxFuel() > 0 && r.maxFuel() > p.maxFuel()) {
            out.add("max_fuel = " + r.maxFuel() + " (ceiling " + p.maxFuel() + ")");
        }
        if (r.maxOutputBytes() > p.maxOutputBytes()) {
            out.add("max_output_bytes = " + r.maxOutputBytes() + " (ceiling " + p.maxOutputBytes() + ")");
        }
        if (r.fsAccess().compareTo(p.maxFsAccess()) > 0) {
            out.add("fs_access = \"" + r.fsAccess().label() + "\" (ceiling \"" + p.maxFsAccess().label() + "\")");
        }
        for (String h : r.netAllowList()) {
            if (!NetPatterns.anyCovers(p.allowedHosts(), h)) {
                out.add("net_allow_list host \"" + h + "\" (allowed: " + show(p.allowedHosts()) + ")");
            }
        }
        for (String e : r.envAllowList()) {
            if (!envAllowed(p.allowedEnv(), e)) {
                out.add("env_allow_list variable \"" + e + "\" (allowed: " + show(p.allowedEnv()) + ")");
            }
        }
        return out;
    }

    /**
     * @throws PolicyViolationException listing every request beyond the ceiling, and what to do
     */
    public static void requireWithinCeiling(ToolId id, SecurityRequest r, HostPolicy p) {
        List<String> beyond = beyondCeiling(r, p);
        if (!beyond.isEmpty()) {
            throw new PolicyViolationException("tool " + id + " requests more than the host policy allows: "
                    + String.join("; ", beyond) + ". Lower the request in [security] of its tool.toml, or raise the"
                    + " ceiling with HostPolicy.builder()");
        }
    }

    /** @return what a call gets: request ∩ grants ∩ ceiling */
    public static EffectivePermissions effective(SecurityRequest r, Grants g, HostPolicy p) {
        // a tool gets the mode it asked for when grant and ceiling both reach it, else nothing:
        // a tool that asked to read data must not silently get an empty scratch instead
        FsAccess fs = g.fsAccess().compareTo(r.fsAccess()) >= 0 && p.maxFsAccess().compareTo(r.fsAccess()) >= 0
                ? r.fsAccess() : FsAccess.NONE;
        if (fs == FsAccess.READ_ONLY && g.fsDirectory() == null) {
            fs = FsAccess.NONE;
        }
        List<String> net = NetPatterns.intersect(NetPatterns.intersect(r.netAllowList(), g.netAllowList()),
                p.allowedHosts());
        List<String> env = r.envAllowList().stream()
                .filter(g.envAllowList()::contains)
                .filter(e -> envAllowed(p.allowedEnv(), e))
                .distinct()
                .toList();
        long fuel = r.maxFuel();
        if (p.maxFuel() > 0) {
            fuel = fuel == 0 ? p.maxFuel() : Math.min(fuel, p.maxFuel());
        }
        return new EffectivePermissions(fs, fs == FsAccess.READ_ONLY ? g.fsDirectory() : null, net, env,
                Math.min(r.maxMemoryMb(), p.maxMemoryMb()), Math.min(r.maxExecutionMs(), p.maxExecutionMs()), fuel,
                Math.min(r.maxOutputBytes(), p.maxOutputBytes()));
    }

    /**
     * @param env the host environment
     * @return the variables of {@code env} the permissions let the guest see
     */
    public static Map<String, String> environmentFor(EffectivePermissions e, Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        for (String name : e.envAllowList()) {
            String v = env.get(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    private static boolean envAllowed(List<String> allowed, String name) {
        return allowed.contains("*") || allowed.contains(name);
    }

    private static String show(List<String> list) {
        return list.isEmpty() ? "none" : String.join(", ", list);
    }
}
