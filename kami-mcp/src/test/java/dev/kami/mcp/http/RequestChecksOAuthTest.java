package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The resource-server side of {@link RequestChecks} with a validator that needs no JOSE. */
class RequestChecksOAuthTest {
    static final ProtectedResource RESOURCE = new ProtectedResource("https://mcp.example.test/mcp",
            List.of("https://auth.example.test"), ToolScopes.of(mapping()), null);

    private static Map<String, List<String>> mapping() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("read", List.of("dev_kami_echo", "dev_kami_sha*"));
        m.put("admin", List.of("*"));
        return m;
    }

    /** Accepts "read" and "admin" as tokens granting that scope; anything else with a quote in its reason. */
    static final TokenValidator VALIDATOR = new TokenValidator() {
        @Override
        public boolean isValid(String token) {
            return verify(token).valid();
        }

        @Override
        public TokenVerdict verify(String token) {
            return token.equals("read") || token.equals("admin") ? TokenVerdict.granted("u", Set.of(token))
                    : TokenVerdict.rejected("the token \"" + token + "\" is unknown\n");
        }

        @Override
        public ProtectedResource protectedResource() {
            return RESOURCE;
        }
    };

    private final RequestChecks checks = RequestChecks.builder().tokenValidator(VALIDATOR).build();

    private static java.util.function.Function<String, String> headers(String authorization) {
        return name -> switch (name) {
            case "Host" -> "localhost:8080";
            case "Authorization" -> authorization;
            default -> null;
        };
    }

    @Test
    void aRejectedTokensDescriptionIsAQuotedStringWithoutQuotesOrControls() {
        RequestChecks.Access a = checks.authorize(headers("Bearer x\"y"));
        assertThat(a.grant()).isNull();
        assertThat(a.refusal().status()).isEqualTo(401);
        assertThat(a.refusal().headers().get("WWW-Authenticate")).isEqualTo("Bearer resource_metadata="
                + "\"https://mcp.example.test/.well-known/oauth-protected-resource\", error=\"invalid_token\","
                + " error_description=\"the token 'x'y' is unknown'\"");
        assertThat(checks.checkAccess(headers("Bearer x"))).isNotNull();
    }

    @Test
    void toolCallsAndListingFollowTheScopeMapping() {
        TokenVerdict read = checks.authorize(headers("Bearer read")).grant();
        assertThat(checks.checkToolCall(read, "dev_kami_sha256")).isNull();
        RequestChecks.Refusal r = checks.checkToolCall(read, "dev_kami_fetch");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.headers().get("WWW-Authenticate")).contains("error=\"insufficient_scope\", scope=\"admin\"");
        assertThat(r.body()).contains("Forbidden: the tool 'dev_kami_fetch' needs the scope 'admin'");
        RequestChecks.Refusal both = checks.checkToolCall(TokenVerdict.granted("u", Set.of()), "dev_kami_echo");
        assertThat(both.body()).contains("needs the scope 'read' (or one of [admin])");
        assertThat(checks.toolFilter(read).test("dev_kami_echo")).isTrue();
        assertThat(checks.toolFilter(read).test("dev_kami_fetch")).isFalse();
        assertThat(checks.toolFilter(TokenVerdict.all())).isNull();
        assertThat(checks.checkToolCall(TokenVerdict.all(), "dev_kami_fetch")).isNull();
    }

    @Test
    void theMetadataIsServedOnlyAtItsPaths() {
        assertThat(checks.resourceMetadata("/.well-known/oauth-protected-resource")).startsWith("{\"resource\":");
        assertThat(checks.resourceMetadata("/.well-known/oauth-protected-resource/mcp")).isNotNull();
        assertThat(checks.resourceMetadata("/.well-known/oauth-protected-resource/x")).isNull();
        assertThat(RequestChecks.builder().tokenValidator(TokenValidator.constant("t")).build()
                .resourceMetadata("/.well-known/oauth-protected-resource")).isNull();
    }

    @Test
    void badScopesAndResourcesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> ToolScopes.of(Map.of("a b", List.of("x"))))
                .hasMessage("scope 'a b' is not a valid OAuth scope token (RFC 6749 3.3: printable ASCII without spaces,"
                        + " quotes or backslashes)");
        assertThatThrownBy(() -> new ProtectedResource("https://x.test/mcp#f", List.of("https://a"), ToolScopes.none(),
                null)).hasMessageContaining("'https://x.test/mcp#f' must be an absolute https URI without fragment");
        assertThat(ToolScopes.of(Map.of("s", List.of("a*b*c"))).permits(Set.of("s"), "a-x-b-y-c")).isTrue();
        assertThat(ToolScopes.of(Map.of("s", List.of("a.b"))).permits(Set.of("s"), "aXb")).isFalse();
        assertThat(ToolScopes.none().permits(Set.of(), "anything")).isTrue();
    }
}
