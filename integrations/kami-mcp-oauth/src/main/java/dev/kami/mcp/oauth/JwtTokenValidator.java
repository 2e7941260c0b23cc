package dev.kami.mcp.oauth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.kami.mcp.http.ProtectedResource;
import dev.kami.mcp.http.TokenValidator;
import dev.kami.mcp.http.TokenVerdict;
import dev.kami.mcp.http.ToolScopes;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the MCP HTTP transport an OAuth 2.1 resource server: accepts JWT access tokens (RFC 9068)
 * signed by a key of the issuer's JWKS, not expired and already valid (with a small clock skew),
 * issued by the configured issuer, and naming this server's resource URI in their audience; reads
 * their scopes ({@code scope}, or {@code scp}) for the operator's {@link ToolScopes}. Signature
 * checks, JWKS fetching and key caching are nimbus-jose-jwt's. Thread-safe.
 *
 * <p>Keys are fetched on first use and kept {@code jwksCacheTtl} (default 5 min); a token whose
 * key id is unknown makes one refetch (key rotation), at most once per 30 s.
 *
 * <pre>{@code
 * JwtTokenValidator v = JwtTokenValidator.builder()
 *         .issuer("https://auth.example.com")
 *         .jwksUri(URI.create("https://auth.example.com/.well-known/jwks.json"))
 *         .resource("https://mcp.example.com/mcp")
 *         .toolScopes(ToolScopes.of(Map.of("tools:echo", List.of("echo"))))
 *         .build();
 * kami.serve("http", TransportConfig.builder().extension("tokenValidator", v).build());
 * }</pre>
 */
public final class JwtTokenValidator implements TokenValidator {
    private static final Logger LOG = LoggerFactory.getLogger(JwtTokenValidator.class);
    /** The signature algorithms accepted by default: RSA and ECDSA, as authorization servers issue them. */
    public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final String issuer;
    private final String audience;
    private final URI jwksUri;
    private final Duration clockSkew;
    private final Clock clock;
    private final ProtectedResource resource;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Set<String> algorithmNames;

    private JwtTokenValidator(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience != null ? b.audience : b.resource;
        this.jwksUri = b.jwksUri;
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
        this.resource = new ProtectedResource(b.resource, List.of(b.issuer), b.toolScopes, b.resourceName);
        URL url;
        try {
            url = b.jwksUri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWKS URI '" + b.jwksUri + "' is not a URL: " + e.getMessage());
        }
        int timeout = (int) b.jwksTimeout.toMillis();
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(url,
                new DefaultResourceRetriever(timeout, timeout, 512 * 1024))
                .cache(b.jwksCacheTtl.toMillis(), Math.min(b.jwksCacheTtl.toMillis(), 15_000))
                // a flood of tokens with made-up key ids refetches the JWKS at most once per 30 s
                .rateLimited(true)
                .build();
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        // RFC 9068 access tokens say "at+jwt"; many servers still say "JWT" or nothing
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
                new JOSEObjectType("application/at+jwt"), null));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.copyOf(b.algorithms), keys));
        p.setJWTClaimsSetVerifier(new ClaimsCheck());
        this.processor = p;
        Set<String> names = new java.util.TreeSet<>();
        b.algorithms.forEach(a -> names.add(a.getName()));
        this.algorithmNames = names;
    }

    /** @return a builder; issuer, JWKS URI and resource are required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean isValid(String token) {
        return verify(token).valid();
    }

    @Override
    public TokenVerdict verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            return TokenVerdict.rejected("the bearer token is not a JWT access token");
        } catch (BadJWTException e) {
            // our ClaimsCheck's messages, or the processor's own about the token's shape
            return TokenVerdict.rejected(e.getMessage());
        } catch (BadJWSException e) {
            return TokenVerdict.rejected("the token's signature does not verify with the issuer's keys (" + jwksUri
                    + ")");
        } catch (com.nimbusds.jose.jwk.source.RateLimitReachedException e) {
            // an unknown key id, and the keys were refetched a moment ago
            return TokenVerdict.rejected("the token is not signed by a key of the issuer's keys (" + jwksUri
                    + ") with an accepted algorithm " + algorithmNames);
        } catch (KeySourceException e) {
            LOG.warn("cannot fetch the issuer's keys from {}: {}", jwksUri, e.getMessage());
            return TokenVerdict.rejected("the issuer's keys could not be fetched from " + jwksUri
                    + "; try again later");
        } catch (BadJOSEException e) {
            // no key of the JWKS matches the token's key id / algorithm, or an unsecured token
            return TokenVerdict.rejected("the token is not signed by a key of the issuer's keys (" + jwksUri
                    + ") with an accepted algorithm " + algorithmNames);
        } catch (com.nimbusds.jose.JOSEException e) {
            LOG.warn("token check failed: {}", e.getMessage());
            return TokenVerdict.rejected("the token could not be checked");
        }
        return TokenVerdict.granted(claims.getSubject(), scopes(claims));
    }

    @Override
    public ProtectedResource protectedResource() {
        return resource;
    }

    /** @return the scopes of {@code scope} (RFC 9068: space-separated) or {@code scp} (string or list) */
    static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : new String[] {"scope", "scp"}) {
            Object v = claims.getClaim(name);
            if (v instanceof String s) {
                for (String part : s.trim().split("\\s+")) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            } else if (v instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof String s && !s.isBlank()) {
                        out.add(s.trim());
                    }
                }
            }
        }
        return out;
    }

    /** Expiry, not-before, issuer and audience, with messages that name the values. */
    private final class ClaimsCheck implements JWTClaimsSetVerifier<SecurityContext> {
        @Override
        public void verify(JWTClaimsSet c, SecurityContext context) throws BadJWTException {
            Instant now = clock.instant();
            Date exp = c.getExpirationTime();
            if (exp == null) {
                throw new BadJWTException("the token has no expiry (exp claim); the issuer must set one");
            }
            if (now.isAfter(exp.toInstant().plus(clockSkew))) {
                throw new BadJWTException("the token expired at " + exp.toInstant());
            }
            Date nbf = c.getNotBeforeTime();
            if (nbf != null && now.isBefore(nbf.toInstant().minus(clockSkew))) {
                throw new BadJWTException("the token is not valid before " + nbf.toInstant());
            }
            if (!issuer.equals(c.getIssuer())) {
                throw new BadJWTException("the token's issuer '" + c.getIssuer() + "' is not '" + issuer
                        + "', the issuer this server trusts");
            }
            List<String> aud = c.getAudience();
            if (aud == null || !aud.contains(audience)) {
                throw new BadJWTException("the token's audience " + (aud == null ? "[]" : aud) + " does not include"
                        + " this server's resource '" + audience + "'; ask the authorization server for a token with"
                        + " resource=" + audience);
            }
        }
    }

    /** Builds a {@link JwtTokenValidator}. Setters validate at once. Not thread-safe. */
    public static final class Builder {
        private String issuer;
        private URI jwksUri;
        private String resource;
        private String audience;
        private String resourceName;
        private ToolScopes toolScopes = ToolScopes.none();
        private Duration clockSkew = Duration.ofSeconds(60);
        private Duration jwksTimeout = Duration.ofSeconds(5);
        private Duration jwksCacheTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private final List<JWSAlgorithm> algorithms = new ArrayList<>(DEFAULT_ALGORITHMS);

        private Builder() {
        }

        /** The issuer ({@code iss}) tokens must carry, exactly, e.g. {@code https://auth.example.com}. */
        public Builder issuer(String issuer) {
            Objects.requireNonNull(issuer, "issuer");
            if (issuer.isBlank()) {
                throw new IllegalArgumentException("the issuer must not be blank; give the authorization server's"
                        + " issuer identifier, e.g. https://auth.example.com");
            }
            this.issuer = issuer;
            return this;
        }

        /** Where the issuer publishes its signing keys (a JWK Set), fetched and cached. */
        public Builder jwksUri(URI uri) {
            Objects.requireNonNull(uri, "jwksUri");
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the JWKS URI '" + uri + "' must be an http(s) URL");
            }
            this.jwksUri = uri;
            return this;
        }

        /** This server's resource URI (what clients connect to; tokens must name it in {@code aud}). */
        public Builder resource(String resource) {
            this.resource = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /** The audience tokens must carry when it is not the resource URI (default: the resource URI). */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** A human-readable name for the metadata's {@code resource_name}. */
        public Builder resourceName(String name) {
            this.resourceName = Objects.requireNonNull(name, "resourceName");
            return this;
        }

        /** Which scopes grant which tools (default: none, every valid token calls every tool). */
        public Builder toolScopes(ToolScopes scopes) {
            this.toolScopes = Objects.requireNonNull(scopes, "toolScopes");
            return this;
        }

        /** Tolerated clock difference for {@code exp} and {@code nbf} (default 60 s, at most 5 min). */
        public Builder clockSkew(Duration skew) {
            if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, got " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /** Connect and read timeout of a JWKS fetch (default 5 s). */
        public Builder jwksTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("jwksTimeout must be positive, got " + timeout);
            }
            this.jwksTimeout = timeout;
            return this;
        }

        /** How long fetched keys are kept (default 5 min); an unknown key id fetches again at once. */
        public Builder jwksCacheTtl(Duration ttl) {
            if (ttl.compareTo(Duration.ofSeconds(30)) < 0) {
                throw new IllegalArgumentException("jwksCacheTtl must be at least 30 s, got " + ttl);
            }
            this.jwksCacheTtl = ttl;
            return this;
        }

        /** The accepted signature algorithms (default {@link #DEFAULT_ALGORITHMS}). */
        public Builder algorithms(Set<JWSAlgorithm> algs) {
            if (algs.isEmpty()) {
                throw new IllegalArgumentException("at least one signature algorithm must be accepted");
            }
            algorithms.clear();
            algorithms.addAll(algs);
            return this;
        }

        /** The clock for expiry checks (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the validator
         * @throws IllegalStateException if issuer, JWKS URI or resource is missing
         * @throws IllegalArgumentException if the resource URI is not an absolute http(s) URI
         */
        public JwtTokenValidator build() {
            if (issuer == null || jwksUri == null || resource == null) {
                throw new IllegalStateException("an OAuth resource server needs issuer, jwksUri and resource; missing: "
                        + (issuer == null ? "issuer " : "") + (jwksUri == null ? "jwksUri " : "")
                        + (resource == null ? "resource" : "").trim());
            }
            return new JwtTokenValidator(this);
        }
    }
}
