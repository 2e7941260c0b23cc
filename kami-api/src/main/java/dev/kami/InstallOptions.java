package dev.kami;

import dev.kami.policy.Grants;

/**
 * Options of an install. Immutable; start from {@link #defaults()}.
 *
 * @param force replace an installed tool of the same id and version
 * @param grants what to grant, or {@code null} to grant what the tool requests (within the policy
 *     ceiling; a request beyond the ceiling refuses the install)
 * @param source where the package came from, to record in the registry (e.g. the URL a host
 *     application downloaded it from), or {@code null} to record the path or URL installed from
 */
public record InstallOptions(boolean force, Grants grants, String source) {
    private static final InstallOptions DEFAULTS = new InstallOptions(false, null, null);

    /** @return no force; grant what is requested */
    public static InstallOptions defaults() {
        return DEFAULTS;
    }

    /** @return a copy that replaces an installed tool of the same id and version */
    public InstallOptions withForce(boolean f) {
        return new InstallOptions(f, grants, source);
    }

    /** @return a copy that grants exactly these */
    public InstallOptions withGrants(Grants g) {
        return new InstallOptions(force, g, source);
    }

    /** @return a copy that records this source in the registry */
    public InstallOptions withSource(String s) {
        return new InstallOptions(force, grants, s);
    }
}
