package dev.kami.mcp.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.kami.mcp.http.TokenVerdict;
import dev.kami.mcp.http.ToolScopes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class JwtTokenValidatorTest {
    static final String RESOURCE = "https://mcp.example.test/mcp";
    private final TestIssuer issuer = newIssuer();
    private final JwtTokenValidator validator = JwtTokenValidator.builder().issuer(issuer.issuer())
            .jwksUri(issuer.jwksUri()).resource(RESOURCE)
            .toolScopes(ToolScopes.of(Map.of("tools:echo", List.of("echo")))).clockSkew(Duration.ofSeconds(30)).build();

    private static TestIssuer newIssuer() {
        try {
            return new TestIssuer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void aGoodTokenIsAcceptedWithItsSubjectAndScopes() {
        TokenVerdict v = validator.verify(issuer.token(RESOURCE, "tools:echo profile"));
        assertThat(v.valid()).isTrue();
        assertThat(v.unrestricted()).isFalse();
        assertThat(v.subject()).isEqualTo("alice");
        assertThat(v.scopes()).containsExactlyInAnyOrder("tools:echo", "profile");
        assertThat(validator.isValid(issuer.token(RESOURCE, null))).isTrue();
        assertThat(issuer.jwksFetches.get()).isEqualTo(1);
        validator.verify(issuer.token(RESOURCE, null));
        assertThat(issuer.jwksFetches.get()).as("keys are cached").isEqualTo(1);
    }

    @Test
    void anExpiredTokenIsRejectedWithItsExpiry() {
        Instant expired = Instant.now().minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        TokenVerdict v = validator.verify(TestIssuer.token(issuer.key, issuer.issuer(), RESOURCE, "tools:echo", expired));
        assertThat(v.valid()).isFalse();
        assertThat(v.problem()).isEqualTo("the token expired at " + expired);
    }

    @Test
    void anExpiryWithinTheClockSkewIsTolerated() {
        Instant justExpired = Instant.now().minusSeconds(5);
        assertThat(validator.verify(TestIssuer.token(issuer.key, issuer.issuer(), RESOURCE, null, justExpired)).valid())
                .isTrue();
    }

    @Test
    void aTokenForAnotherAudienceIsRejected() {
        TokenVerdict v = validator.verify(issuer.token("https://other.example.test/mcp", "tools:echo"));
        assertThat(v.valid()).isFalse();
        assertThat(v.problem()).isEqualTo("the token's audience [https://other.example.test/mcp] does not include this"
                + " server's resource '" + RESOURCE + "'; ask the authorization server for a token with resource="
                + RESOURCE);
    }

    @Test
    void aTokenFromAnotherIssuerIsRejected() {
        TokenVerdict v = validator.verify(TestIssuer.token(issuer.key, "https://evil.example.test", RESOURCE, null,
                Instant.now().plusSeconds(300)));
        assertThat(v.valid()).isFalse();
        assertThat(v.problem()).isEqualTo("the token's issuer 'https://evil.example.test' is not '" + issuer.issuer()
                + "', the issuer this server trusts");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRejected() throws Exception {
        // same key id as the issuer's: the signature check itself must fail
        RSAKey forged = new RSAKeyGenerator(2048).keyID(issuer.key.getKeyID()).generate();
        TokenVerdict v = validator.verify(TestIssuer.token(forged, issuer.issuer(), RESOURCE, "tools:echo",
                Instant.now().plusSeconds(300)));
        assertThat(v.valid()).isFalse();
        assertThat(v.problem()).isEqualTo("the token's signature does not verify with the issuer's keys ("
                + issuer.jwksUri() + ")");
        // a key id the issuer never published
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
        TokenVerdict w = validator.verify(TestIssuer.token(stranger, issuer.issuer(), RESOURCE, null,
                Instant.now().plusSeconds(300)));
        assertThat(w.problem()).startsWith("the token is not signed by a key of the issuer's keys (" + issuer.jwksUri()
                + ") with an accepted algorithm [ES256");
    }

    @Test
    void somethingThatIsNotAJwtIsRejected() {
        assertThat(validator.verify("not-a-jwt").problem()).isEqualTo("the bearer token is not a JWT access token");
        // an unsecured JWT ("alg":"none") is never accepted
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"iss\":\"" + issuer.issuer()
                        + "\",\"aud\":\"" + RESOURCE + "\",\"exp\":9999999999}").getBytes()) + ".";
        assertThat(validator.verify(none).valid()).isFalse();
    }

    @Test
    void unreachableKeysRejectTheTokenAndSaySo() {
        JwtTokenValidator v = JwtTokenValidator.builder().issuer(issuer.issuer())
                .jwksUri(URI.create("http://127.0.0.1:1/jwks.json")).resource(RESOURCE)
                .jwksTimeout(Duration.ofSeconds(2)).build();
        assertThat(v.verify(issuer.token(RESOURCE, null)).problem())
                .isEqualTo("the issuer's keys could not be fetched from http://127.0.0.1:1/jwks.json; try again later");
    }

    @Test
    void theMetadataNamesTheResourceTheIssuerAndTheScopes() {
        assertThat(validator.protectedResource().metadataJson()).isEqualTo("{\"resource\":\"" + RESOURCE
                + "\",\"authorization_servers\":[\"" + issuer.issuer() + "\"],\"scopes_supported\":[\"tools:echo\"],"
                + "\"bearer_methods_supported\":[\"header\"]}");
        assertThat(validator.protectedResource().metadataUrl())
                .isEqualTo("https://mcp.example.test/.well-known/oauth-protected-resource");
        assertThat(validator.protectedResource().metadataPaths()).containsExactly("/.well-known/oauth-protected-resource",
                "/.well-known/oauth-protected-resource/mcp");
    }

    @Test
    void theBuilderSaysWhatIsMissing() {
        assertThatThrownBy(() -> JwtTokenValidator.builder().issuer("https://a").build())
                .hasMessage("an OAuth resource server needs issuer, jwksUri and resource; missing: jwksUri resource");
        assertThatThrownBy(() -> JwtTokenValidator.builder().issuer("https://a").jwksUri(URI.create("https://a/k"))
                .resource("mcp.example.com").build())
                .hasMessageContaining("the resource URI 'mcp.example.com' must be an absolute https URI");
        assertThat(ToolScopes.of(Map.of("s", List.of("dev_*"))).permits(Set.of("s"), "dev_echo")).isTrue();
        assertThat(ToolScopes.of(Map.of("s", List.of("dev_*"))).permits(Set.of("s"), "echo")).isFalse();
    }
}
