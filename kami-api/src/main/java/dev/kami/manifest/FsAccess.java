package dev.kami.manifest;

import java.util.Arrays;
import java.util.Optional;

/**
 * Filesystem access, ordered from least to most privileged: {@code NONE < SANDBOX < READ_ONLY}
 * ({@code SANDBOX} is a private, empty scratch directory; {@code READ_ONLY} exposes the granted
 * host directory's content).
 */
public enum FsAccess {
    /** No preopened directory at all. */
    NONE("none"),
    /** A private scratch directory, empty at the start of each call and discarded after it. */
    SANDBOX("sandbox"),
    /** A read-only view of the granted directory. */
    READ_ONLY("read-only");

    private final String label;

    FsAccess(String label) {
        this.label = label;
    }

    /** @return the name used in {@code tool.toml} */
    public String label() {
        return label;
    }

    /** @return the access with this {@code tool.toml} name, if any */
    public static Optional<FsAccess> fromLabel(String label) {
        return Arrays.stream(values()).filter(a -> a.label.equals(label)).findFirst();
    }

    /** @return the less privileged of the two */
    public static FsAccess min(FsAccess a, FsAccess b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    @Override
    public String toString() {
        return label;
    }
}
