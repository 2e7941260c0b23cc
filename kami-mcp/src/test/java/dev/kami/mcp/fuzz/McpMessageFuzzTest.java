package dev.kami.mcp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.ToolResult;
import dev.kami.manifest.ArgumentType;
import dev.kami.manifest.ToolAnnotations;
import dev.kami.manifest.ToolArgument;
import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.protocol.McpSession;
import dev.kami.mcp.testkit.FakeKami;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every JSON-RPC message a client sends is untrusted input. Whatever its bytes, a session answers
 * in bounded time with zero or more replies, each a JSON-RPC 2.0 object (a result or an error),
 * and keeps serving: the next {@code ping} still answers. Seeds: {@code McpMessageFuzzTestInputs/}
 * (both eras' requests, notifications and malformed messages).
 */
class McpMessageFuzzTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final FakeKami KAMI = quickTools();
    private static final McpServer SERVER = McpServer.builder(KAMI).maxMessageBytes(64 * 1024).build();

    private static FakeKami quickTools() {
        // FakeKami.standard() without its tool that loops until cancelled: every call here ends at once
        FakeKami k = new FakeKami();
        k.add(FakeKami.tool("dev.test.echo", "Echo", "Returns the message it was given",
                List.of(new ToolArgument("message", ArgumentType.STRING, "what to echo", true)), null, null,
                ToolAnnotations.NONE, true), (args, token) -> ToolResult.success(String.valueOf(args.get("message"))));
        k.add(FakeKami.tool("dev.test.schema", "Schema", "Takes a full JSON Schema", List.of(),
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"]}",
                null, ToolAnnotations.NONE, true), (args, token) -> ToolResult.success("ok"));
        return k;
    }

    @FuzzTest(maxDuration = "20s")
    void everyMessageGetsWellFormedRepliesAndTheSessionKeepsServing(byte[] message) throws Exception {
        try (McpSession session = SERVER.openSession(null)) {
            List<String> replies = session.handle(message).get(10, TimeUnit.SECONDS);
            for (String reply : replies) {
                JsonNode r = JSON.readTree(reply);
                assertThat(r.path("jsonrpc").asString()).isEqualTo("2.0");
                assertThat(r.has("result") != r.has("error")).as("exactly one of result and error: %s", reply).isTrue();
                if (r.has("error")) {
                    assertThat(r.path("error").path("code").isIntegralNumber()).as(reply).isTrue();
                    assertThat(r.path("error").path("message").asString()).as(reply).isNotBlank();
                }
            }
            List<String> pong = session.handle("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}")
                    .get(10, TimeUnit.SECONDS);
            assertThat(pong).hasSize(1);
            assertThat(JSON.readTree(pong.get(0)).path("id").asString()).isEqualTo("after");
        }
    }
}
