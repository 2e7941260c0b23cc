package dev.kami.core.signing;

import dev.kami.manifest.SecurityRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a tool signature covers. The current scheme ({@link Scheme#V2}) signs the module's
 * SHA-256 <em>and</em> the permissions the manifest requests, so a widened {@code [security]} no
 * longer verifies. Signatures made as the original KAMI made them (over the module alone, or over
 * its SHA-256 digest) still verify, as {@link Scheme#MODULE_ONLY}. Stateless and thread-safe.
 */
public final class ToolSignatures {
    private ToolSignatures() {
    }

    /** Which form a signature verified as. */
    public enum Scheme {
        /** Module digest and requested permissions. */
        V2,
        /** The module alone (original KAMI); permissions are not covered. */
        MODULE_ONLY,
        /** Does not verify. */
        INVALID
    }

    /** @return the bytes a V2 signature covers */
    public static byte[] v2Message(String moduleSha256, SecurityRequest security) {
        return ("kami-signature-v2\nmodule_sha256=" + moduleSha256 + "\n" + security.canonical())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @return a V2 signature (hex) of the module and its requested permissions */
    public static String sign(String secretKeyHex, byte[] module, SecurityRequest security) {
        return Ed25519.sign(secretKeyHex, v2Message(sha256Hex(module), security));
    }

    /** @return how the signature verifies, if at all */
    public static Scheme verify(String publicKeyHex, String signatureHex, byte[] module, SecurityRequest security) {
        String sha = sha256Hex(module);
        if (Ed25519.verify(publicKeyHex, v2Message(sha, security), signatureHex)) {
            return Scheme.V2;
        }
        if (Ed25519.verify(publicKeyHex, module, signatureHex)
                || Ed25519.verify(publicKeyHex, HexFormat.of().parseHex(sha), signatureHex)) {
            return Scheme.MODULE_ONLY;
        }
        return Scheme.INVALID;
    }

    /** @return the SHA-256 of the bytes, lowercase hex */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
