package dev.kami.mcp.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Decides whether a bearer token may use the MCP endpoint. Plug in an OAuth introspection or JWT
 * check; {@link #constant(String)} compares with one shared secret. Must be thread-safe and quick
 * (called on every request).
 */
@FunctionalInterface
public interface TokenValidator {

    /**
     * @param token the token after {@code "Bearer "}, never {@code null} or empty
     * @return whether the token is accepted
     */
    boolean isValid(String token);

    /**
     * What the token grants. The default answers {@link TokenVerdict#all()} when
     * {@link #isValid(String)} accepts it; an OAuth validator overrides this to report the token's
     * scopes and, for a rejected token, what was wrong (expired, wrong audience...).
     *
     * @param token the token after {@code "Bearer "}, never {@code null} or empty
     * @return the verdict, never {@code null}
     */
    default TokenVerdict verify(String token) {
        return isValid(token) ? TokenVerdict.all() : TokenVerdict.rejected("the bearer token is not valid");
    }

    /**
     * @return this server as an OAuth protected resource (metadata, scope mapping), or {@code null}
     *     (the default) for a validator that is not an OAuth resource server
     */
    default ProtectedResource protectedResource() {
        return null;
    }

    /** @return a validator accepting exactly {@code expected}, compared in constant time */
    static TokenValidator constant(String expected) {
        Objects.requireNonNull(expected, "expected");
        if (expected.isBlank()) {
            throw new IllegalArgumentException("the token must not be blank");
        }
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        return token -> MessageDigest.isEqual(want, token.getBytes(StandardCharsets.UTF_8));
    }
}
