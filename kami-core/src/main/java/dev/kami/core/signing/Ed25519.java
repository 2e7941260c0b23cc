package dev.kami.core.signing;

import dev.kami.core.internal.Causes;
import dev.kami.SignatureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 with raw 32-byte keys in hex, as the original KAMI: key generation, secret key files
 * readable by their owner only, signing and verification. Stateless and thread-safe.
 *
 * <pre>{@code
 * Ed25519.KeyPair keys = Ed25519.generate();
 * String sig = Ed25519.sign(keys.secretKeyHex(), message);
 * boolean ok = Ed25519.verify(keys.publicKeyHex(), message, sig);
 * }</pre>
 */
public final class Ed25519 {
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ed25519() {
    }

    /**
     * A key pair in hex.
     *
     * @param secretKeyHex the raw 32-byte secret key (seed), 64 hex characters
     * @param publicKeyHex the raw 32-byte public key, 64 hex characters
     */
    public record KeyPair(String secretKeyHex, String publicKeyHex) {
        @Override
        public String toString() {
            return "KeyPair[publicKeyHex=" + publicKeyHex + ", secretKeyHex=<hidden>]";
        }
    }

    /** @return a new random key pair */
    public static KeyPair generate() {
        Ed25519PrivateKeyParameters sk = new Ed25519PrivateKeyParameters(RANDOM);
        return new KeyPair(HEX.formatHex(sk.getEncoded()), HEX.formatHex(sk.generatePublicKey().getEncoded()));
    }

    /**
     * @return the public key of a secret key
     * @throws SignatureException if the secret key is not 64 hex characters
     */
    public static String publicKeyOf(String secretKeyHex) {
        return HEX.formatHex(secretKey(secretKeyHex).generatePublicKey().getEncoded());
    }

    /** @return the signature of {@code message}, 128 hex characters */
    public static String sign(String secretKeyHex, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, secretKey(secretKeyHex));
        signer.update(message, 0, message.length);
        return HEX.formatHex(signer.generateSignature());
    }

    /**
     * @return whether {@code signatureHex} is a valid signature of {@code message} by the key
     * @throws SignatureException if the key or signature is not well-formed hex of the right length
     */
    public static boolean verify(String publicKeyHex, byte[] message, String signatureHex) {
        byte[] sig = decode(signatureHex, 64, "signature");
        Ed25519PublicKeyParameters pk = new Ed25519PublicKeyParameters(decode(publicKeyHex, 32, "public key"), 0);
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, pk);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(sig);
    }

    /**
     * Writes a secret key file readable and writable by its owner only (0600 where the file system
     * has POSIX permissions). Refuses to overwrite.
     *
     * @throws SignatureException if the file exists or cannot be written
     */
    public static void writeSecretKey(Path file, String secretKeyHex) {
        secretKey(secretKeyHex);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, secretKeyHex + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new SignatureException("secret key file " + file + " exists already; remove it first or choose"
                    + " another directory (kami keygen --keys DIR)");
        } catch (IOException e) {
            throw new SignatureException("cannot write secret key file " + file + ": " + Causes.describe(e), e);
        }
    }

    /**
     * @return the secret key in a file written by {@link #writeSecretKey}
     * @throws SignatureException if missing or malformed
     */
    public static String readSecretKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new SignatureException("cannot read secret key file " + file + " (" + Causes.describe(e)
                    + "); create one with 'kami keygen'", e);
        }
        secretKey(text);
        return text.toLowerCase(Locale.ROOT);
    }

    private static Ed25519PrivateKeyParameters secretKey(String hex) {
        return new Ed25519PrivateKeyParameters(decode(hex, 32, "secret key"), 0);
    }

    private static byte[] decode(String hex, int length, String what) {
        if (hex == null || hex.trim().length() != length * 2) {
            throw new SignatureException("the " + what + " must be " + length * 2 + " hex characters (raw "
                    + length + " bytes), got " + (hex == null ? "nothing" : hex.trim().length() + " characters"));
        }
        try {
            return HEX.parseHex(hex.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SignatureException("the " + what + " is not hex: '" + hex + "'");
        }
    }
}
