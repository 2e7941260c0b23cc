package dev.kami.mcp.http;

import java.util.Objects;
import java.util.Set;

/**
 * What a {@link TokenValidator} found in a bearer token: accepted (with the scopes it grants, or
 * every scope) or rejected (with what was wrong, for the {@code error_description} of the 401).
 *
 * @param valid whether the token is accepted
 * @param subject who the token speaks for ({@code sub}), {@code null} when unknown
 * @param scopes the scopes granted; ignored when {@code unrestricted}
 * @param unrestricted whether the token may use every tool (a shared static token)
 * @param problem why the token was rejected, {@code null} when valid; shown to the client, so it
 *     names the claim and never a secret
 */
public record TokenVerdict(boolean valid, String subject, Set<String> scopes, boolean unrestricted, String problem) {

    private static final TokenVerdict UNRESTRICTED = new TokenVerdict(true, null, Set.of(), true, null);

    /** Validates and copies. */
    public TokenVerdict {
        scopes = Set.copyOf(Objects.requireNonNull(scopes, "scopes"));
        if (!valid) {
            Objects.requireNonNull(problem, "problem");
        }
    }

    /** @return a token that may use every tool (a shared static token) */
    public static TokenVerdict all() {
        return UNRESTRICTED;
    }

    /** @return a token of {@code subject} granting {@code scopes} */
    public static TokenVerdict granted(String subject, Set<String> scopes) {
        return new TokenVerdict(true, subject, scopes, false, null);
    }

    /** @return a rejected token, with what was wrong (e.g. "the token expired at 2026-11-28T10:00:00Z") */
    public static TokenVerdict rejected(String problem) {
        return new TokenVerdict(false, null, Set.of(), false, problem);
    }
}
