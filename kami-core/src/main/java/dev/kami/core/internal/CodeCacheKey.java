package dev.kami.core.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret that authenticates compiled code in the registry: {@code $KAMI_HOME/code-cache.key},
 * 32 random bytes made on first use (owner-only permissions where the file system has them).
 * Compiled code is loaded into the JVM as classes, outside the WebAssembly sandbox, so the digest
 * recorded next to it is an HMAC-SHA256 under this key, not a plain hash: a writer of the
 * registry database who does not also hold this file cannot produce code that is loaded
 * (docs/SECURITY_MODEL.md, ADR 0206). Nodes that share the file share their compiled code; a node
 * with another key keeps entries of its own (the key's id is part of each entry's key).
 * Thread-safe.
 */
final class CodeCacheKey {
    static final String FILE = "code-cache.key";
    private static final Logger LOG = LoggerFactory.getLogger(CodeCacheKey.class);

    private final byte[] secret;
    private final String id;

    private CodeCacheKey(byte[] secret) {
        this.secret = secret;
        this.id = HexFormat.of().formatHex(sha256(secret)).substring(0, 16);
    }

    /** @return the key of this home, made when missing; null (logged) when it can be neither read nor made */
    static CodeCacheKey load(Path home) {
        Path file = home.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Files.createDirectories(home);
                try {
                    Files.write(file, HexFormat.of().formatHex(fresh).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    try {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        LOG.debug("{} has no POSIX permissions; protect it by other means", file);
                    }
                } catch (FileAlreadyExistsException raced) {
                    // another process made it first: use theirs
                }
            }
            String text = Files.readString(file).strip();
            byte[] secret = HexFormat.of().parseHex(text);
            if (secret.length < 16) {
                LOG.warn("{} holds {} bytes, fewer than 16: compiled modules are not kept in the registry; delete"
                        + " the file to have a new key made", file, secret.length);
                return null;
            }
            return new CodeCacheKey(secret);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("the compiled-code key {} cannot be read or made ({}): compiled modules are not kept in the"
                    + " registry, every process compiles them", file, e.getMessage());
            return null;
        }
    }

    /** @return what identifies this key in entry keys (not secret: a digest of it) */
    String id() {
        return id;
    }

    /** @return the HMAC-SHA256 of the bytes under this key, 64 lower-case hex digits */
    String mac(byte[] bytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** @return whether {@code recorded} is the MAC of the bytes (compared in constant time) */
    boolean verifies(byte[] bytes, String recorded) {
        return MessageDigest.isEqual(mac(bytes).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                recorded.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(concat(b));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] concat(byte[] b) {
        byte[] label = "kami code-cache key id\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[label.length + b.length];
        System.arraycopy(label, 0, out, 0, label.length);
        System.arraycopy(b, 0, out, label.length, b.length);
        return out;
    }
}
