package dev.kami.mcp.protocol;

import static dev.kami.mcp.testkit.Rpc.errorCode;
import static dev.kami.mcp.testkit.Rpc.one;
import static dev.kami.mcp.testkit.Rpc.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

@Timeout(30)
class McpServerMalformedInputTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer server = McpServer.builder(kami).maxMessageBytes(2048).build();
    private final McpSession session = server.openSession(null);

    @AfterEach
    void close() {
        server.close();
        kami.close();
    }

    private void assertStillServing() {
        assertThat(one(session, request(99, "ping", null)).path("result").isObject()).isTrue();
    }

    @Test
    void invalidJsonIsAParseErrorAndTheServerKeepsServing() {
        JsonNode r = one(session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
        assertThat(errorCode(r)).isEqualTo(-32700);
        assertThat(r.path("id").isNull()).isTrue();
        assertStillServing();
    }

    @Test
    void nonUtf8BytesAreAParseError() throws Exception {
        byte[] bad = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        List<String> replies = session.handle(bad).get(5, TimeUnit.SECONDS);
        assertThat(replies).hasSize(1);
        JsonNode r = Rpc.parse(replies.get(0));
        assertThat(errorCode(r)).isEqualTo(-32700);
        assertThat(r.path("error").path("message").asString()).contains("UTF-8");
        assertStillServing();
    }

    @Test
    void anOversizedMessageIsRefused() throws Exception {
        String big = request(1, "tools/call", "{\"name\":\"dev_test_echo\",\"arguments\":{\"message\":\"" + "x".repeat(3000)
                + "\"}}");
        JsonNode r = one(session, big);
        assertThat(errorCode(r)).isEqualTo(-32600);
        assertThat(r.path("error").path("message").asString()).contains("at most 2048");
        List<String> bytes = session.handle(big.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
        assertThat(errorCode(Rpc.parse(bytes.get(0)))).isEqualTo(-32600);
        assertStillServing();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "batch                | [{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
        "not an object        | 42",
        "string               | \"ping\"",
        "no jsonrpc           | {\"id\":1,\"method\":\"ping\"}",
        "wrong jsonrpc        | {\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "method not a string  | {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}",
        "empty method         | {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}",
        "null id              | {\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "object id            | {\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
        "params not an object | {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}",
        "no method            | {\"jsonrpc\":\"2.0\",\"id\":1}"
    })
    void invalidRequestsAreRefused(String what, String message) {
        JsonNode r = one(session, message);
        assertThat(errorCode(r)).as(what).isEqualTo(-32600);
        assertStillServing();
    }

    @Test
    void anInvalidRequestWithAUsableIdEchoesIt() {
        JsonNode r = one(session, "{\"jsonrpc\":\"1.0\",\"id\":\"abc\",\"method\":\"ping\"}");
        assertThat(r.path("id").asString()).isEqualTo("abc");
    }

    @Test
    void unknownMethodIsMethodNotFound() {
        JsonNode r = one(session, request(1, "resources/list", null));
        assertThat(errorCode(r)).isEqualTo(-32601);
        assertThat(r.path("id").asInt()).isEqualTo(1);
    }

    @Test
    void deepNestingIsRefusedAsAParseError() {
        String deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":" + "[".repeat(300) + "]".repeat(300)
                + "}}";
        assertThat(errorCode(one(session, deep))).isEqualTo(-32700);
    }

    @Test
    void duplicateKeysAreRefusedAsAParseError() {
        assertThat(errorCode(one(session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}")))
                .isEqualTo(-32700);
    }

    @Test
    void clientResponsesAndUnknownNotificationsGetNoReply() {
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}")).isEmpty();
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}")).isEmpty();
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{}}")).isEmpty();
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":404}}"))
                .isEmpty();
    }

    @Test
    void emptyInputIsAParseError() {
        assertThat(errorCode(one(session, ""))).isEqualTo(-32700);
    }

    @Test
    void aFloodOfRequestsIsAnsweredWithoutFailure() throws Exception {
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<List<String>>>();
        for (int i = 0; i < 2000; i++) {
            futures.add(session.handle(i % 2 == 0 ? "{bad json" : request(i, "ping", null)));
        }
        for (var f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS)).hasSize(1);
        }
        assertStillServing();
    }
}
