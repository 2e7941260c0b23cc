package dev.kami.core.policy;

import dev.kami.PolicyViolationException;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolId;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.NetPatterns;
import dev.kami.policy.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Checks a permission when it is granted, so that a grant that cannot work is refused at once
     * rather than failing every later call: a mode beyond the ceiling, a host or variable the
     * policy does not allow, a directory that is missing, not a directory or not readable.
     *
     * @throws PolicyViolationException saying what is wrong with the value, and what to do
     */
    public static void requireGrantable(ToolId id, Permission p, HostPolicy policy) {
        String problem = null;
        if (p instanceof Permission.Fs f) {
            if (f.access().compareTo(policy.maxFsAccess()) > 0) {
                problem = "fs:" + f.access().label() + " is beyond the host policy's ceiling fs:"
                        + policy.maxFsAccess().label() + "; grant a lesser mode or raise the ceiling"
                        + " (HostPolicy.maxFsAccess, max_fs_access in config.toml)";
            } else if (f.directory() != null) {
                problem = directoryProblem(f.directory());
                if (problem != null) {
                    problem += "; grant an existing, readable directory (fs:read-only:/path/to/dir)";
                }
            }
        } else if (p instanceof Permission.Net n && !NetPatterns.anyCovers(policy.allowedHosts(), n.pattern())) {
            problem = "host " + n.pattern() + " is beyond the host policy's allowed hosts ("
                    + show(policy.allowedHosts()) + "); grant an allowed host or widen HostPolicy.allowHosts";
        } else if (p instanceof Permission.Env e && !envAllowed(policy.allowedEnv(), e.name())) {
            problem = "variable " + e.name() + " is beyond the host policy's allowed variables ("
                    + show(policy.allowedEnv()) + "); widen HostPolicy.allowEnv to grant it";
        }
        if (problem != null) {
            throw new PolicyViolationException("cannot grant " + p.text() + " to tool " + id + ": " + problem);
        }
    }

    /** As {@link #requireGrantable(ToolId, Permission, HostPolicy)} for each permission of a grant set. */
    public static void requireGrantable(ToolId id, Grants g, HostPolicy policy) {
        if (g.fsAccess() != FsAccess.READ_ONLY || g.fsDirectory() != null) {
            requireGrantable(id, new Permission.Fs(g.fsAccess(), g.fsDirectory()), policy);
        }
        for (String n : g.netAllowList()) {
            requireGrantable(id, new Permission.Net(n), policy);
        }
        for (String e : g.envAllowList()) {
            requireGrantable(id, new Permission.Env(e), policy);
        }
    }

    /**
     * Checks, before a call, that a granted directory is still there: a call must not fail deep in
     * the engine because a directory was removed after it was granted.
     *
     * @throws PolicyViolationException naming the directory and what to do
     */
    public static void requireUsableDirectory(ToolId id, EffectivePermissions e) {
        if (e.fsAccess() != FsAccess.READ_ONLY || e.fsDirectory() == null) {
            return;
        }
        String problem = directoryProblem(e.fsDirectory());
        if (problem != null) {
            throw new PolicyViolationException("tool " + id + " cannot run: its granted fs:read-only directory "
                    + problem + ". Grant an existing directory with 'kami grant " + id + " fs:read-only:DIR', or"
                    + " revoke it with 'kami revoke " + id + " fs:none'");
        }
    }

    /** @return why a directory cannot be mounted read-only, or null when it can */
    static String directoryProblem(Path dir) {
        if (!Files.exists(dir)) {
            return dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            return dir + " is not readable by this process";
        }
        return null;
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
