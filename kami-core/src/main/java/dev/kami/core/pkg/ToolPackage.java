package dev.kami.core.pkg;

import dev.kami.core.manifest.ManifestParser.ParsedManifest;
import dev.kami.manifest.ToolManifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A package read into memory: its manifest, module bytes and digest, and signature if any.
 *
 * @param parsed the manifest as parsed
 * @param module the module's bytes
 * @param sha256 the module's SHA-256, lowercase hex
 * @param signature the signature in hex ({@code tool.sig} or {@code [tool] signature}), or null
 * @param signerKey the signer's public key in hex, or null
 * @param source where it came from (path, URL, shorthand)
 * @param directory the package directory when read from one, else null
 */
public record ToolPackage(ParsedManifest parsed, byte[] module, String sha256, String signature, String signerKey,
        String source, Path directory) {
    /** Validates. */
    public ToolPackage {
        Objects.requireNonNull(parsed, "parsed");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
    }

    /** @return the manifest */
    public ToolManifest manifest() {
        return parsed.manifest();
    }

    /** @return whether the package carries a signature */
    public boolean signed() {
        return signature != null;
    }
}
