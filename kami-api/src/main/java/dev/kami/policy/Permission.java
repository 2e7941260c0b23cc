package dev.kami.policy;

import dev.kami.manifest.FsAccess;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One permission an operator grants or revokes at runtime, in the text form the CLI uses:
 * {@code net:HOST-PATTERN}, {@code env:NAME}, {@code fs:none}, {@code fs:sandbox} or
 * {@code fs:read-only:/host/dir}.
 *
 * <pre>{@code kami.grant("dev.kami.fetch", Permission.parse("net:api.github.com"));}</pre>
 */
public sealed interface Permission {

    /** @return the text form, which {@link #parse} reads back */
    String text();

    /**
     * Network access to hosts matching a pattern.
     *
     * @param pattern see {@link NetPatterns}
     */
    record Net(String pattern) implements Permission {
        /** Validates the pattern. */
        public Net {
            if (!NetPatterns.isValid(pattern)) {
                throw new IllegalArgumentException("'" + pattern + "' is not a host pattern (expected a host such as"
                        + " 'api.github.com', '*.example.org', an IP literal, optionally ':port', or '*')");
            }
        }

        @Override
        public String text() {
            return "net:" + pattern;
        }
    }

    /**
     * Read access to one environment variable.
     *
     * @param name the variable's name
     */
    record Env(String name) implements Permission {
        /** Validates the name. */
        public Env {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("'" + name
                        + "' is not an environment variable name (expected letters, digits and '_', not starting with a digit)");
            }
        }

        @Override
        public String text() {
            return "env:" + name;
        }
    }

    /**
     * Filesystem access.
     *
     * @param access the mode
     * @param directory the host directory exposed read-only; required for {@code READ_ONLY}, null
     *     otherwise
     */
    record Fs(FsAccess access, Path directory) implements Permission {
        /** Validates the combination. */
        public Fs {
            Objects.requireNonNull(access, "access");
            if (access == FsAccess.READ_ONLY && directory == null) {
                throw new IllegalArgumentException("fs:read-only needs a host directory: 'fs:read-only:/path/to/dir'");
            }
            if (access != FsAccess.READ_ONLY && directory != null) {
                throw new IllegalArgumentException("only fs:read-only takes a directory, not fs:" + access.label());
            }
            if (directory != null) {
                directory = directory.toAbsolutePath().normalize();
            }
        }

        @Override
        public String text() {
            return "fs:" + access.label() + (directory == null ? "" : ":" + directory);
        }
    }

    /**
     * @param text {@code net:PATTERN}, {@code env:NAME}, {@code fs:none}, {@code fs:sandbox} or
     *     {@code fs:read-only:DIR}
     * @return the permission
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    static Permission parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (kind) {
            case "net":
                return new Net(rest);
            case "env":
                return new Env(rest);
            case "fs": {
                int c = rest.indexOf(':');
                String mode = c < 0 ? rest : rest.substring(0, c);
                FsAccess access = FsAccess.fromLabel(mode).orElseThrow(() -> new IllegalArgumentException(
                        "'" + text + "': unknown fs mode '" + mode + "' (expected none, sandbox or read-only:DIR)"));
                return new Fs(access, c < 0 ? null : Path.of(rest.substring(c + 1)));
            }
            default:
                throw new IllegalArgumentException("'" + text
                        + "' is not a permission (expected net:HOST, env:NAME, fs:none, fs:sandbox or fs:read-only:DIR)");
        }
    }
}
