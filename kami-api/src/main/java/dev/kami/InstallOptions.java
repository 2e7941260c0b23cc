package dev.kami;

import dev.kami.policy.Grants;

/**
 * Options of an install. Immutable; start from {@link #defaults()}.
 *
 * @param force replace an installed tool of the same id and version
 * @param grants what to grant, or {@code null} to grant what the tool requests (within the policy
 *     ceiling; a request beyond the ceiling refuses the install)
 */
public record InstallOptions(boolean force, Grants grants) {
    private static final InstallOptions DEFAULTS = new InstallOptions(false, null);

    /** @return no force; grant what is requested */
    public static InstallOptions defaults() {
        return DEFAULTS;
    }

    /** @return a copy that replaces an installed tool of the same id and version */
    public InstallOptions withForce(boolean f) {
        return new InstallOptions(f, grants);
    }

    /** @return a copy that grants exactly these */
    public InstallOptions withGrants(Grants g) {
        return new InstallOptions(force, g);
    }
}
