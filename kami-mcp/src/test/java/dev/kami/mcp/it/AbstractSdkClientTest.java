package dev.kami.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the official MCP Java SDK client must see from KAMI over any transport. Subclasses start
 * a server (page size 2) with an echo, a failing and a looping tool, and connect a client
 * through a {@link RecordingTransport}.
 */
abstract class AbstractSdkClientTest {
    final List<List<McpSchema.Tool>> toolChanges = new CopyOnWriteArrayList<>();

    abstract McpSyncClient client();

    abstract RecordingTransport transport();

    /** Waits until the server reports that a call of {@code tool} was handed to KAMI. */
    abstract void awaitCallStarted(String tool) throws Exception;

    /** @return microseconds from the cancel notification to the end of the cancelled call, as the server measured */
    abstract long awaitCancelledMicros(String tool) throws Exception;

    @Test
    void initializeNegotiatesTheNewestLegacyVersion() {
        McpSchema.InitializeResult init = client().getCurrentInitializationResult();
        assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
        assertThat(init.serverInfo().name()).isEqualTo("kami");
        assertThat(init.capabilities().tools()).isNotNull();
        assertThat(init.capabilities().tools().listChanged()).isTrue();
        assertThat(init.capabilities().resources()).isNull();
        assertThat(init.capabilities().prompts()).isNull();
    }

    @Test
    void pingAnswers() {
        assertThat(client().ping()).isNotNull();
    }

    @Test
    void listToolsPagesInNameOrder() {
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            McpSchema.ListToolsResult page = client().listTools(cursor);
            assertThat(page.tools().size()).isLessThanOrEqualTo(3);
            page.tools().forEach(t -> names.add(t.name()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isGreaterThanOrEqualTo(2);
        assertThat(names).isSorted().containsAll(List.of(echoTool(), failTool(), loopingTool()));
    }

    @Test
    void callReturnsStructuredContentAndText() {
        McpSchema.CallToolResult r = client().callTool(McpSchema.CallToolRequest.builder(echoTool())
                .arguments(Map.of("message", "hello")).build());
        assertThat(r.isError()).isFalse();
        assertThat(r.structuredContent()).isEqualTo(Map.of("message", "hello"));
        assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("hello");
    }

    @Test
    void anUnknownToolIsAnInvalidParamsError() {
        assertThatThrownBy(() -> client().callTool(McpSchema.CallToolRequest.builder("no_such_tool").arguments(Map.of()).build()))
                .isInstanceOfSatisfying(McpError.class, e -> {
                    assertThat(e.getJsonRpcError().code()).isEqualTo(-32602);
                    assertThat(e.getJsonRpcError().message()).contains("Unknown tool");
                });
    }

    @Test
    void aToolErrorIsAnErrorResult() {
        McpSchema.CallToolResult r = client().callTool(McpSchema.CallToolRequest.builder(failTool()).arguments(Map.of()).build());
        assertThat(r.isError()).isTrue();
        assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("failed on purpose");
    }

    @Test
    void invalidArgumentsAreAnErrorResult() {
        McpSchema.CallToolResult r = client().callTool(McpSchema.CallToolRequest.builder(echoTool()).arguments(Map.of()).build());
        assertThat(r.isError()).isTrue();
        assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("Invalid arguments");
    }

    @Test
    void cancellingALoopingToolStopsItQuickly() throws Exception {
        // Its own thread: a cancelled request never gets a response, so this call stays blocked
        // until the client's request timeout; it must not hold a shared pool's only thread.
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cancelled-call");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(() -> client().callTool(
                McpSchema.CallToolRequest.builder(loopingTool()).arguments(Map.of()).build()), caller);
        caller.shutdown();
        awaitCallStarted(loopingTool());
        Object id = transport().lastCallId(loopingTool());
        assertThat(id).as("the looping call was sent").isNotNull();
        Thread.sleep(200); // let it run
        assertThat(call).isNotDone();
        transport().cancel(id);
        long micros = awaitCancelledMicros(loopingTool());
        System.err.println("KAMI-TEST " + getClass().getSimpleName() + ": cancel to end of call " + micros + " us");
        // The bound of the issue: the tool stops within 100 ms of the cancel (server-side).
        assertThat(micros).isLessThan(100_000);
        assertThat(pingAfterCancel()).isTrue();
    }

    /** @return the MCP name of a tool that loops until cancelled */
    abstract String loopingTool();

    /** @return the MCP name of a tool that echoes its JSON arguments (requires "message") */
    abstract String echoTool();

    /** @return the MCP name of a tool that fails with "...failed on purpose" */
    abstract String failTool();

    private boolean pingAfterCancel() {
        return client().ping() != null;
    }

    @Test
    void installingAToolTellsTheClient() throws Exception {
        int before = toolChanges.size();
        install();
        for (int i = 0; i < 500 && toolChanges.size() == before; i++) {
            Thread.sleep(10);
        }
        assertThat(toolChanges.size()).as("list_changed received").isGreaterThan(before);
        List<McpSchema.Tool> latest = toolChanges.get(toolChanges.size() - 1);
        assertThat(latest).extracting(McpSchema.Tool::name).anyMatch(n -> n.startsWith(installedPrefix()));
    }

    /** Installs a tool whose MCP name starts with {@link #installedPrefix()}. */
    abstract void install() throws Exception;

    abstract String installedPrefix();

    @Test
    void sixtyFourConcurrentCallsAreAllAnswered() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<CompletableFuture<McpSchema.CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String msg = "m" + i;
                calls.add(CompletableFuture.supplyAsync(() -> client().callTool(McpSchema.CallToolRequest
                        .builder(echoTool()).arguments(Map.of("message", msg)).build()), pool));
            }
            for (int i = 0; i < 64; i++) {
                McpSchema.CallToolResult r = calls.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.isError()).isFalse();
                assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("m" + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
