package dev.kami.mcp.protocol;

import static dev.kami.mcp.testkit.Rpc.errorCode;
import static dev.kami.mcp.testkit.Rpc.modern;
import static dev.kami.mcp.testkit.Rpc.one;
import static dev.kami.mcp.testkit.Rpc.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(30)
class McpServerModernTest {
    private static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    private final FakeKami kami = FakeKami.standard();
    private final McpServer server = McpServer.builder(kami).serverInfo("kami-test", "9.9").pageSize(4)
            .instructions("Use the tools.").build();
    private final McpSession session = server.openSession(null);

    @AfterEach
    void close() {
        server.close();
        kami.close();
    }

    @Test
    void discoverAdvertisesVersionsCapabilitiesAndIdentity() {
        JsonNode r = one(session, modern("d1", "server/discover", null)).path("result");
        assertThat(r.path("resultType").asString()).isEqualTo("complete");
        List<String> versions = new ArrayList<>();
        r.path("supportedVersions").forEach(v -> versions.add(v.asString()));
        assertThat(versions).containsExactly("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
        assertThat(r.path("capabilities").propertyNames()).containsExactly("tools");
        assertThat(r.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
        assertThat(r.path("_meta").path(SERVER_INFO).path("name").asString()).isEqualTo("kami-test");
        assertThat(r.path("_meta").path(SERVER_INFO).path("version").asString()).isEqualTo("9.9");
        assertThat(r.path("ttlMs").asLong()).isEqualTo(60_000);
        assertThat(r.path("cacheScope").asString()).isEqualTo("public");
        assertThat(r.path("instructions").asString()).isEqualTo("Use the tools.");
    }

    @Test
    void listenAcknowledgesThenDeliversListChangedUntilCancelled() throws Exception {
        List<String> sink = new java.util.concurrent.CopyOnWriteArrayList<>();
        McpSession s = server.openSession(sink::add);
        java.util.concurrent.CompletableFuture<List<String>> listen = s.handle(modern("sub1", "subscriptions/listen",
                "\"notifications\":{\"toolsListChanged\":true,\"resourcesListChanged\":true}"));
        assertThat(listen).isNotDone();
        assertThat(sink).hasSize(1);
        JsonNode ack = Rpc.parse(sink.get(0));
        assertThat(ack.path("method").asString()).isEqualTo("notifications/subscriptions/acknowledged");
        assertThat(ack.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asString()).isEqualTo("sub1");
        assertThat(ack.path("params").path("notifications").propertyNames()).containsExactly("toolsListChanged");
        one(s, modern(2, "tools/call", "\"name\":\"dev_test_install\""));
        assertThat(sink).hasSize(2);
        JsonNode changed = Rpc.parse(sink.get(1));
        assertThat(changed.path("method").asString()).isEqualTo("notifications/tools/list_changed");
        assertThat(changed.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asString()).isEqualTo("sub1");
        assertThat(Rpc.all(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"sub1\"}}"))
                .isEmpty();
        assertThat(listen.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        assertThat(s.subscriptionCount()).isZero();
        one(s, modern(3, "tools/call", "\"name\":\"dev_test_install\""));
        assertThat(sink).hasSize(2);
    }

    @Test
    void aListChangeRightAfterTheAcknowledgmentReachesTheSubscription() throws Exception {
        // the change happens while the acknowledgment is being delivered (here: on its own thread,
        // the tightest case); it must reach the stream after the acknowledgment, not be lost
        List<String> sink = new java.util.concurrent.CopyOnWriteArrayList<>();
        McpSession s = server.openSession(json -> {
            sink.add(json);
            if (json.contains("notifications/subscriptions/acknowledged")) {
                kami.install(FakeKami.tool("dev.test.raced", null, "Installed during the acknowledgment", List.of(),
                        null, null, dev.kami.manifest.ToolAnnotations.NONE, true),
                        (a, t) -> dev.kami.ToolResult.success("raced"));
            }
        });
        s.handle(modern("sub9", "subscriptions/listen", "\"notifications\":{\"toolsListChanged\":true}"));
        assertThat(sink).hasSize(2);
        assertThat(Rpc.parse(sink.get(0)).path("method").asString()).isEqualTo("notifications/subscriptions/acknowledged");
        JsonNode changed = Rpc.parse(sink.get(1));
        assertThat(changed.path("method").asString()).isEqualTo("notifications/tools/list_changed");
        assertThat(changed.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asString())
                .isEqualTo("sub9");
        s.close();
    }

    @Test
    void listenWithoutToolsGetsNoListChangedAndEndsGracefullyOnClose() throws Exception {
        List<String> sink = new java.util.concurrent.CopyOnWriteArrayList<>();
        McpSession s = server.openSession(sink::add);
        java.util.concurrent.CompletableFuture<List<String>> listen = s.handle(modern(7, "subscriptions/listen", null));
        assertThat(Rpc.parse(sink.get(0)).path("params").path("notifications").size()).isZero();
        one(s, modern(8, "tools/call", "\"name\":\"dev_test_install\""));
        assertThat(sink).hasSize(1);
        s.close();
        List<String> end = listen.get(5, java.util.concurrent.TimeUnit.SECONDS);
        JsonNode r = Rpc.parse(end.get(0));
        assertThat(r.path("id").asInt()).isEqualTo(7);
        assertThat(r.path("result").path("resultType").asString()).isEqualTo("complete");
        assertThat(r.path("result").path("_meta").path("io.modelcontextprotocol/subscriptionId").asInt()).isEqualTo(7);
    }

    @Test
    void listenNeedsAStreamAndAnObjectFilter() {
        assertThat(errorCode(one(session, modern(1, "subscriptions/listen", null)))).isEqualTo(-32600);
        McpSession s = server.openSession(x -> { });
        assertThat(errorCode(one(s, modern(1, "subscriptions/listen", "\"notifications\":true")))).isEqualTo(-32602);
    }

    @Test
    void missingClientCapabilitiesIsInvalidParams() {
        JsonNode r = one(session, request(1, "tools/list",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}"));
        assertThat(errorCode(r)).isEqualTo(-32602);
        assertThat(r.path("error").path("message").asString()).contains("clientCapabilities");
    }

    @Test
    void aProtocolVersionThatIsNotAStringIsInvalidParams() {
        JsonNode r = one(session, request(1, "tools/list",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":20260728,"
                        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}"));
        assertThat(errorCode(r)).isEqualTo(-32602);
    }

    @Test
    void anUnsupportedVersionIsRefusedWithTheSupportedList() {
        JsonNode r = one(session, request(1, "tools/list",
                "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}"));
        assertThat(errorCode(r)).isEqualTo(-32022);
        assertThat(r.path("error").path("data").path("requested").asString()).isEqualTo("2099-01-01");
        assertThat(r.path("error").path("data").path("supported").get(0).asString()).isEqualTo("2026-07-28");
    }

    @Test
    void discoverWithoutMetaIsInvalidParams() {
        assertThat(errorCode(one(session, request(1, "server/discover", null)))).isEqualTo(-32602);
    }

    @Test
    void legacyOnlyMethodsAreNotFoundInTheModernEra() {
        assertThat(errorCode(one(session, modern(1, "ping", null)))).isEqualTo(-32601);
        assertThat(errorCode(one(session, modern(2, "initialize", "\"protocolVersion\":\"2025-11-25\"")))).isEqualTo(-32601);
    }

    @Test
    void toolsListCarriesResultTypeCacheHintsAndServerInfoOnEveryPage() {
        List<String> names = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode r = one(session, modern(1, "tools/list", cursor == null ? null : "\"cursor\":\"" + cursor + "\""))
                    .path("result");
            assertThat(r.path("resultType").asString()).isEqualTo("complete");
            assertThat(r.path("ttlMs").isNumber()).isTrue();
            assertThat(r.path("cacheScope").asString()).isEqualTo("public");
            assertThat(r.path("_meta").path(SERVER_INFO).path("name").asString()).isEqualTo("kami-test");
            r.path("tools").forEach(t -> names.add(t.path("name").asString()));
            cursor = r.path("nextCursor").isString() ? r.path("nextCursor").asString() : null;
        } while (cursor != null);
        assertThat(names).isSorted().hasSize(7).doesNotContain("dev_test_hidden");
    }

    @Test
    void toolsCallWorksWithoutAnyHandshake() {
        JsonNode r = one(session, modern(1, "tools/call", "\"name\":\"dev_test_echo\",\"arguments\":{\"message\":\"m\"}"))
                .path("result");
        assertThat(r.path("resultType").asString()).isEqualTo("complete");
        assertThat(r.path("isError").asBoolean()).isFalse();
        assertThat(r.path("structuredContent").path("message").asString()).isEqualTo("m");
        assertThat(r.path("_meta").path(SERVER_INFO).isObject()).isTrue();
        assertThat(r.has("ttlMs")).isFalse();
        assertThat(session.isInitialized()).isFalse();
    }

    @Test
    void modernToolErrorsAndUnknownToolsBehaveAsInLegacy() {
        JsonNode fail = one(session, modern(1, "tools/call", "\"name\":\"dev_test_fail\"")).path("result");
        assertThat(fail.path("isError").asBoolean()).isTrue();
        assertThat(errorCode(one(session, modern(2, "tools/call", "\"name\":\"nope\"")))).isEqualTo(-32602);
    }

    @Test
    void aModernOnlyServerRefusesInitializeNamingItsVersions() {
        try (McpServer modernOnly = McpServer.builder(kami).supportedVersions(List.of("2026-07-28")).build()) {
            JsonNode r = one(modernOnly.openSession(null), Rpc.initialize("2025-11-25"));
            assertThat(r.path("error").path("message").asString()).contains("2026-07-28");
        }
    }

    @Test
    void aLegacyOnlyServerRefusesModernRequests() {
        try (McpServer legacyOnly = McpServer.builder(kami).supportedVersions(List.of("2025-11-25")).build()) {
            JsonNode r = one(legacyOnly.openSession(null), modern(1, "server/discover", null));
            assertThat(errorCode(r)).isEqualTo(-32022);
        }
    }
}
