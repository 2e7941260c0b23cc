package dev.kami.mcp.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test authorization server on loopback: an RSA signing key whose public half it publishes as a
 * JWK Set at {@code /jwks.json}, and a minter of RFC 9068 access tokens.
 */
final class TestIssuer implements AutoCloseable {
    final RSAKey key;
    final HttpServer server;
    final AtomicInteger jwksFetches = new AtomicInteger();

    TestIssuer() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("issuer-key-1").generate();
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", ex -> {
            jwksFetches.incrementAndGet();
            byte[] b = jwks.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    URI jwksUri() {
        return URI.create(issuer() + "/jwks.json");
    }

    /** A token from this issuer for {@code audience} with {@code scope}, valid for 5 minutes. */
    String token(String audience, String scope) {
        return token(key, issuer(), audience, scope, Instant.now().plus(Duration.ofMinutes(5)));
    }

    static String token(RSAKey signer, String issuer, String audience, String scope, Instant expiry) {
        try {
            JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().issuer(issuer).subject("alice").audience(List.of(audience))
                    .issueTime(new Date()).expirationTime(Date.from(expiry)).jwtID(java.util.UUID.randomUUID().toString());
            if (scope != null) {
                c.claim("scope", scope);
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
                    .type(new JOSEObjectType("at+jwt")).build(), c.build());
            jwt.sign(new RSASSASigner(signer));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
