package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestChecks} on their own, over a plain header map: what any server hosting the MCP
 * endpoint (the built-in front, a servlet container) applies before it reads a message.
 */
class RequestChecksTest {
    private static Function<String, String> headers(String... nameValue) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i].toLowerCase(Locale.ROOT), nameValue[i + 1]);
        }
        return name -> m.get(name.toLowerCase(Locale.ROOT));
    }

    private final RequestChecks checks = RequestChecks.builder().allowedHosts(List.of("mcp.example.com"))
            .allowedOrigins(List.of("https://app.example.com")).tokenValidator(TokenValidator.constant("s3cret"))
            .maxRequestBytes(4096).build();

    @Test
    void hostOriginAndTokenPassWhenAllowed() {
        assertThat(checks.checkAccess(headers("Host", "mcp.example.com:443", "Origin", "https://app.example.com/",
                "Authorization", "Bearer s3cret"))).isNull();
        assertThat(checks.checkAccess(headers("Host", "localhost:8080", "Authorization", "bearer s3cret"))).isNull();
    }

    @Test
    void aForeignHostOrOriginIs403() {
        RequestChecks.Refusal host = checks.checkAccess(headers("Host", "evil.example", "Authorization", "Bearer s3cret"));
        assertThat(host.status()).isEqualTo(403);
        assertThat(host.body()).contains("Forbidden: Host or Origin is not allowed");
        assertThat(checks.checkAccess(headers("Host", "localhost", "Origin", "http://evil.example",
                "Authorization", "Bearer s3cret")).status()).isEqualTo(403);
        assertThat(checks.checkAccess(headers("Origin", "http://localhost:3000")).status())
                .as("no Host at all").isEqualTo(403);
    }

    @Test
    void aMissingOrWrongTokenIs401WithAChallenge() {
        RequestChecks.Refusal none = checks.checkAccess(headers("Host", "localhost"));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"kami-mcp\"");
        assertThat(none.body()).contains("Unauthorized: send Authorization: Bearer <token>");
        RequestChecks.Refusal wrong = checks.checkAccess(headers("Host", "localhost", "Authorization", "Bearer nope"));
        assertThat(wrong.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"kami-mcp\", error=\"invalid_token\"");
        assertThat(wrong.body()).contains("Unauthorized: the bearer token is not valid");
    }

    @Test
    void postHeadersAreCheckedBeforeTheBodyIsRead() {
        Function<Long, String> tooLarge = size -> "{\"too\":" + size + "}";
        assertThat(checks.checkPost(headers("Content-Length", "100", "Content-Type", "application/json",
                "Accept", "application/json, text/event-stream"), tooLarge)).isNull();
        RequestChecks.Refusal big = checks.checkPost(headers("Content-Length", "5000"), tooLarge);
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body()).isEqualTo("{\"too\":5000}");
        assertThat(big.headers()).containsEntry("Connection", "close");
        RequestChecks.Refusal type = checks.checkPost(headers("Content-Type", "text/plain"), tooLarge);
        assertThat(type.status()).isEqualTo(415);
        assertThat(type.body()).contains("Unsupported media type 'text/plain'; POST a JSON-RPC message as application/json");
        assertThat(checks.checkPost(headers("Accept", "text/html"), tooLarge).status()).isEqualTo(406);
        assertThat(checks.checkPost(headers("Content-Length", "ten"), tooLarge).body())
                .contains("Bad request: Content-Length 'ten' is not a number");
    }
}
