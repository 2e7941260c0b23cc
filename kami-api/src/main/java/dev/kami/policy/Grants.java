package dev.kami.policy;

import dev.kami.manifest.FsAccess;
import dev.kami.manifest.SecurityRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an operator granted a tool. Kept in the store; changed at runtime with
 * {@link dev.kami.Kami#grant} and {@link dev.kami.Kami#revoke} without reinstalling. Immutable.
 *
 * @param fsAccess the filesystem mode granted
 * @param fsDirectory the host directory for {@code READ_ONLY}, else {@code null}
 * @param netAllowList host patterns granted
 * @param envAllowList environment variable names granted
 */
public record Grants(FsAccess fsAccess, Path fsDirectory, List<String> netAllowList, List<String> envAllowList) {
    /** Validates and copies. */
    public Grants {
        Objects.requireNonNull(fsAccess, "fsAccess");
        netAllowList = List.copyOf(netAllowList);
        envAllowList = List.copyOf(envAllowList);
        if (fsAccess != FsAccess.READ_ONLY) {
            fsDirectory = null;
        }
    }

    /** @return no grant at all */
    public static Grants none() {
        return new Grants(FsAccess.NONE, null, List.of(), List.of());
    }

    /**
     * What an install grants when the operator accepts the request as it is. A {@code read-only}
     * request is granted only once a directory is given ({@code fs:read-only:DIR}); until then
     * the tool gets no filesystem.
     *
     * @return grants equal to the request
     */
    public static Grants of(SecurityRequest request) {
        FsAccess fs = request.fsAccess() == FsAccess.READ_ONLY ? FsAccess.NONE : request.fsAccess();
        return new Grants(fs, null, request.netAllowList(), request.envAllowList());
    }

    /** @return these grants plus the permission (an fs permission replaces the fs grant) */
    public Grants with(Permission permission) {
        if (permission instanceof Permission.Net n) {
            return new Grants(fsAccess, fsDirectory, add(netAllowList, n.pattern()), envAllowList);
        }
        if (permission instanceof Permission.Env e) {
            return new Grants(fsAccess, fsDirectory, netAllowList, add(envAllowList, e.name()));
        }
        Permission.Fs f = (Permission.Fs) permission;
        return new Grants(f.access(), f.directory(), netAllowList, envAllowList);
    }

    /** @return these grants less the permission (revoking any fs permission leaves {@code none}) */
    public Grants without(Permission permission) {
        if (permission instanceof Permission.Net n) {
            return new Grants(fsAccess, fsDirectory, remove(netAllowList, n.pattern()), envAllowList);
        }
        if (permission instanceof Permission.Env e) {
            return new Grants(fsAccess, fsDirectory, netAllowList, remove(envAllowList, e.name()));
        }
        return new Grants(FsAccess.NONE, null, netAllowList, envAllowList);
    }

    /** @return the grants as permission texts, for display and storage */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        out.add(fsAccess == FsAccess.READ_ONLY ? "fs:read-only:" + fsDirectory : "fs:" + fsAccess.label());
        netAllowList.forEach(n -> out.add("net:" + n));
        envAllowList.forEach(e -> out.add("env:" + e));
        return List.copyOf(out);
    }

    /** @return the grants these texts describe ({@link #texts()} read back) */
    public static Grants fromTexts(List<String> texts) {
        Grants g = none();
        for (String t : texts) {
            g = g.with(Permission.parse(t));
        }
        return g;
    }

    private static List<String> add(List<String> list, String value) {
        if (list.contains(value)) {
            return list;
        }
        List<String> out = new ArrayList<>(list);
        out.add(value);
        return out;
    }

    private static List<String> remove(List<String> list, String value) {
        List<String> out = new ArrayList<>(list);
        out.remove(value);
        return out;
    }
}
