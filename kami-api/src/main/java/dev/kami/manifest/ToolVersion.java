package dev.kami.manifest;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SemVer 2.0 version, ordered by SemVer precedence (build metadata is ignored when ordering).
 * Immutable and thread-safe.
 *
 * @param major the major number
 * @param minor the minor number
 * @param patch the patch number
 * @param preRelease the pre-release part without the {@code '-'}, or {@code ""}
 * @param build the build metadata without the {@code '+'}, or {@code ""}
 */
public record ToolVersion(long major, long minor, long patch, String preRelease, String build)
        implements Comparable<ToolVersion> {
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");

    /** Validates the parts. */
    public ToolVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers must not be negative: " + major + "." + minor + "." + patch);
        }
        preRelease = Objects.requireNonNullElse(preRelease, "");
        build = Objects.requireNonNullElse(build, "");
    }

    /**
     * @param text a SemVer 2.0 version such as {@code 1.2.0} or {@code 1.0.0-rc.1+build.5}
     * @return the parsed version
     * @throws IllegalArgumentException if the text is not SemVer 2.0, with the text in the message
     */
    public static ToolVersion parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("version '" + text
                    + "' is not SemVer 2.0 (expected MAJOR.MINOR.PATCH, e.g. '1.2.0' or '1.0.0-rc.1')");
        }
        try {
            return new ToolVersion(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4), m.group(5));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version '" + text + "' has a number too large", e);
        }
    }

    @Override
    public int compareTo(ToolVersion o) {
        int c = Long.compare(major, o.major);
        if (c == 0) c = Long.compare(minor, o.minor);
        if (c == 0) c = Long.compare(patch, o.patch);
        if (c != 0) return c;
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        String[] a = preRelease.split("\\.");
        String[] b = o.preRelease.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = a[i].chars().allMatch(Character::isDigit);
            boolean bn = b[i].chars().allMatch(Character::isDigit);
            int r;
            if (an && bn) {
                r = new java.math.BigInteger(a[i]).compareTo(new java.math.BigInteger(b[i]));
            } else if (an != bn) {
                r = an ? -1 : 1;
            } else {
                r = a[i].compareTo(b[i]);
            }
            if (r != 0) return r;
        }
        return Integer.compare(a.length, b.length);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + preRelease)
                + (build.isEmpty() ? "" : "+" + build);
    }
}
