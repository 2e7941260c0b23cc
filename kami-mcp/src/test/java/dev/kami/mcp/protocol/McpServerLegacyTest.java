package dev.kami.mcp.protocol;

import static dev.kami.mcp.testkit.Rpc.call;
import static dev.kami.mcp.testkit.Rpc.errorCode;
import static dev.kami.mcp.testkit.Rpc.initialize;
import static dev.kami.mcp.testkit.Rpc.one;
import static dev.kami.mcp.testkit.Rpc.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

@Timeout(30)
class McpServerLegacyTest {
    private final FakeKami kami = FakeKami.standard();
    private final List<String> notifications = new CopyOnWriteArrayList<>();
    private final List<Duration> cancelled = new CopyOnWriteArrayList<>();
    private final McpServer server = McpServer.builder(kami).serverInfo("kami-test", "9.9").pageSize(3)
            .listener(new McpServerListener() {
                @Override
                public void callCancelled(String toolName, Duration sinceCancel) {
                    cancelled.add(sinceCancel);
                }
            }).build();
    private final McpSession session = server.openSession(notifications::add);

    @AfterEach
    void close() {
        server.close();
        kami.close();
    }

    private void init() {
        assertThat(one(session, initialize("2025-11-25")).path("result").path("protocolVersion").asString())
                .isEqualTo("2025-11-25");
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"})
    void initializeAgreesToTheClientsVersionWhenSupported(String version) {
        JsonNode r = one(session, initialize(version));
        assertThat(r.path("result").path("protocolVersion").asString()).isEqualTo(version);
        assertThat(session.protocolVersion()).isEqualTo(version);
    }

    @Test
    void initializeAnswersTheNewestLegacyVersionForAnUnknownOne() {
        JsonNode r = one(session, initialize("1999-01-01"));
        assertThat(r.path("result").path("protocolVersion").asString()).isEqualTo("2025-11-25");
    }

    @Test
    void initializeAdvertisesOnlyToolsWithListChangedAndServerInfo() {
        JsonNode result = one(session, initialize("2025-06-18")).path("result");
        assertThat(result.path("capabilities").propertyNames()).containsExactly("tools");
        assertThat(result.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
        assertThat(result.path("serverInfo").path("name").asString()).isEqualTo("kami-test");
        assertThat(result.path("serverInfo").path("version").asString()).isEqualTo("9.9");
    }

    @Test
    void initializeWithoutProtocolVersionIsInvalidParams() {
        JsonNode r = one(session, request(1, "initialize", "{\"capabilities\":{}}"));
        assertThat(errorCode(r)).isEqualTo(-32602);
        assertThat(r.path("id").asInt()).isEqualTo(1);
    }

    @Test
    void aSecondInitializeInTheSameSessionIsRefused() {
        init();
        assertThat(errorCode(one(session, initialize("2025-06-18")))).isEqualTo(-32600);
    }

    @Test
    void pingAnswersAnEmptyResultEvenBeforeInitialize() {
        JsonNode r = one(session, request("p", "ping", null));
        assertThat(r.path("id").asString()).isEqualTo("p");
        assertThat(r.path("result").isObject()).isTrue();
        assertThat(r.path("result").size()).isZero();
    }

    @Test
    void toolsListBeforeInitializeIsInvalidParams() {
        JsonNode r = one(session, request(1, "tools/list", null));
        assertThat(errorCode(r)).isEqualTo(-32602);
        assertThat(r.path("error").path("message").asString()).contains("initialize");
    }

    @Test
    void toolsListPagesThroughEnabledToolsInNameOrder() {
        init();
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode result = one(session, request(10 + pages, "tools/list",
                    cursor == null ? null : "{\"cursor\":\"" + cursor + "\"}")).path("result");
            assertThat(result.path("tools").size()).isLessThanOrEqualTo(3);
            assertThat(result.has("resultType")).isFalse();
            result.path("tools").forEach(t -> names.add(t.path("name").asString()));
            cursor = result.path("nextCursor").isString() ? result.path("nextCursor").asString() : null;
            pages++;
        } while (cursor != null);
        assertThat(names).containsExactly("dev_test_busy", "dev_test_echo", "dev_test_fail", "dev_test_install",
                "dev_test_noargs", "dev_test_schema", "dev_test_slow");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void toolsListDescribesSchemasTitlesAndAnnotations() {
        init();
        List<JsonNode> tools = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode result = one(session, request(1, "tools/list", cursor == null ? null : "{\"cursor\":\"" + cursor + "\"}"))
                    .path("result");
            result.path("tools").forEach(tools::add);
            cursor = result.path("nextCursor").isString() ? result.path("nextCursor").asString() : null;
        } while (cursor != null);
        JsonNode echo = tools.stream().filter(t -> t.path("name").asString().equals("dev_test_echo")).findFirst().orElseThrow();
        assertThat(echo.path("title").asString()).isEqualTo("Echo");
        assertThat(echo.path("description").asString()).isEqualTo("Returns the message it was given");
        assertThat(echo.path("inputSchema").path("type").asString()).isEqualTo("object");
        assertThat(echo.path("inputSchema").path("required").get(0).asString()).isEqualTo("message");
        assertThat(echo.path("annotations").path("readOnlyHint").asBoolean()).isTrue();
        assertThat(echo.path("annotations").path("destructiveHint").asBoolean(true)).isFalse();
        assertThat(echo.has("outputSchema")).isFalse();
        JsonNode noargs = tools.stream().filter(t -> t.path("name").asString().equals("dev_test_noargs")).findFirst().orElseThrow();
        assertThat(noargs.path("inputSchema")).isEqualTo(Rpc.parse("{\"type\":\"object\",\"additionalProperties\":false}"));
        assertThat(noargs.has("annotations")).isFalse();
        JsonNode schema = tools.stream().filter(t -> t.path("name").asString().equals("dev_test_schema")).findFirst().orElseThrow();
        assertThat(schema.path("outputSchema").path("properties").has("double")).isTrue();
        assertThat(schema.path("inputSchema").path("properties").path("n").path("minimum").asInt()).isEqualTo(1);
        tools.forEach(t -> assertThat(t.path("name").asString()).matches("^[a-zA-Z0-9_-]{1,64}$"));
    }

    @Test
    void aCursorNotIssuedByTheServerIsInvalidParams() {
        init();
        assertThat(errorCode(one(session, request(1, "tools/list", "{\"cursor\":\"bm9wZQ\"}")))).isEqualTo(-32602);
        assertThat(errorCode(one(session, request(1, "tools/list", "{\"cursor\":\"%%%\"}")))).isEqualTo(-32602);
        assertThat(errorCode(one(session, request(1, "tools/list", "{\"cursor\":5}")))).isEqualTo(-32602);
    }

    @Test
    void callReturnsJsonOutputAsStructuredContentAndText() {
        init();
        JsonNode result = one(session, call(5, "dev_test_echo", "{\"message\":\"hi\"}")).path("result");
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("content").get(0).path("type").asString()).isEqualTo("text");
        assertThat(Rpc.parse(result.path("content").get(0).path("text").asString())).isEqualTo(Rpc.parse("{\"message\":\"hi\"}"));
        assertThat(result.path("structuredContent")).isEqualTo(Rpc.parse("{\"message\":\"hi\"}"));
    }

    @Test
    void callReturnsPlainOutputAsTextOnly() {
        init();
        JsonNode result = one(session, call(5, "dev_test_noargs", null)).path("result");
        assertThat(result.path("content").get(0).path("text").asString()).isEqualTo("pong");
        assertThat(result.has("structuredContent")).isFalse();
        assertThat(result.path("isError").asBoolean()).isFalse();
    }

    @Test
    void unknownDisabledOrNamelessToolsAndBadArgumentsAreInvalidParams() {
        init();
        JsonNode unknown = one(session, call(1, "no_such_tool", "{}"));
        assertThat(errorCode(unknown)).isEqualTo(-32602);
        assertThat(unknown.path("error").path("message").asString()).contains("Unknown tool: 'no_such_tool'");
        assertThat(errorCode(one(session, call(2, "dev_test_hidden", "{}")))).isEqualTo(-32602);
        assertThat(errorCode(one(session, request(3, "tools/call", "{\"arguments\":{}}")))).isEqualTo(-32602);
        assertThat(errorCode(one(session, request(4, "tools/call", null)))).isEqualTo(-32602);
        assertThat(errorCode(one(session, call(5, "dev_test_echo", "[1]")))).isEqualTo(-32602);
        assertThat(errorCode(one(session, request(6, "tools/call", "{\"name\":7}")))).isEqualTo(-32602);
    }

    @Test
    void argumentsFailingTheSchemaAreAToolErrorTheModelCanActOn() {
        init();
        JsonNode missing = one(session, call(1, "dev_test_echo", "{}")).path("result");
        assertThat(missing.path("isError").asBoolean()).isTrue();
        assertThat(missing.path("content").get(0).path("text").asString())
                .contains("Invalid arguments for tool 'dev_test_echo': required property 'message' not found.")
                .doesNotContain("': :").contains("Fix the arguments");
        JsonNode tooSmall = one(session, call(2, "dev_test_schema", "{\"n\":0}")).path("result");
        assertThat(tooSmall.path("isError").asBoolean()).isTrue();
        assertThat(tooSmall.path("content").get(0).path("text").asString()).contains("minimum");
        JsonNode extra = one(session, call(3, "dev_test_noargs", "{\"x\":1}")).path("result");
        assertThat(extra.path("isError").asBoolean()).isTrue();
        JsonNode ok = one(session, call(4, "dev_test_schema", "{\"n\":3}")).path("result");
        assertThat(ok.path("isError").asBoolean()).isFalse();
        assertThat(ok.path("structuredContent").path("double").asInt()).isEqualTo(6);
    }

    @Test
    void toolFailuresAndBusyRefusalsAreErrorResults() {
        init();
        JsonNode fail = one(session, call(1, "dev_test_fail", null)).path("result");
        assertThat(fail.path("isError").asBoolean()).isTrue();
        assertThat(fail.path("content").get(0).path("text").asString()).isEqualTo("the tool failed on purpose: try dev_test_echo");
        JsonNode busy = one(session, call(2, "dev_test_busy", null)).path("result");
        assertThat(busy.path("isError").asBoolean()).isTrue();
        assertThat(busy.path("content").get(0).path("text").asString()).contains("busy").contains("Retry");
    }

    @Test
    void cancelledInterruptsTheRunningCallAndDropsItsReply() throws Exception {
        init();
        CompletableFuture<List<String>> call = session.handle(call(7, "dev_test_slow", null));
        Thread.sleep(100);
        assertThat(call).isNotDone();
        assertThat(session.inFlightCount()).isEqualTo(1);
        long cancelAt = System.nanoTime();
        assertThat(Rpc.all(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}"))
                .isEmpty();
        assertThat(call.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(kami.slowStoppedAtNanos - cancelAt).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(cancelled).hasSize(1);
        assertThat(session.inFlightCount()).isZero();
    }

    @Test
    void aSlowCallDoesNotBlockPingOrOtherCalls() throws Exception {
        init();
        CompletableFuture<List<String>> slow = session.handle(call(7, "dev_test_slow", null));
        assertThat(one(session, request(8, "ping", null)).path("result").isObject()).isTrue();
        assertThat(one(session, call(9, "dev_test_noargs", null)).path("result").path("isError").asBoolean()).isFalse();
        session.cancelAll();
        assertThat(slow.get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void installingAToolNotifiesInitializedSessionsOnly() {
        McpSession other = server.openSession(notifications::add); // never initialized
        init();
        one(session, call(1, "dev_test_install", null));
        assertThat(notifications).containsExactly("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
        other.close();
    }

    @Test
    void disablingAToolHidesItAndNotifies() {
        init();
        kami.disable("dev.test.echo");
        assertThat(notifications).hasSize(1);
        assertThat(errorCode(one(session, call(1, "dev_test_echo", "{\"message\":\"x\"}")))).isEqualTo(-32602);
    }

    @Test
    void tooManyCallsInFlightGetABusyResult() throws Exception {
        try (McpServer small = McpServer.builder(kami).maxConcurrentCalls(1).build()) {
            McpSession s = small.openSession(null);
            one(s, initialize("2025-11-25"));
            CompletableFuture<List<String>> slow = s.handle(call(1, "dev_test_slow", null));
            Thread.sleep(50);
            JsonNode second = one(s, call(2, "dev_test_noargs", null)).path("result");
            assertThat(second.path("isError").asBoolean()).isTrue();
            assertThat(second.path("content").get(0).path("text").asString()).contains("busy: 1 tool calls");
            s.cancelAll();
            slow.get(5, TimeUnit.SECONDS);
            assertThat(one(s, call(3, "dev_test_noargs", null)).path("result").path("isError").asBoolean()).isFalse();
        }
    }

    @Test
    void aRequestIdStillRunningCannotBeReused() throws Exception {
        init();
        CompletableFuture<List<String>> slow = session.handle(call(1, "dev_test_slow", null));
        assertThat(errorCode(one(session, call(1, "dev_test_noargs", null)))).isEqualTo(-32600);
        session.cancelAll();
        slow.get(5, TimeUnit.SECONDS);
    }
}
