package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kami.LogEntry;
import dev.kami.ModuleRejectedException;
import dev.kami.ToolErrorKind;
import dev.kami.manifest.Abi;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.EngineResult;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Extism plugins (AssemblyScript + as-pdk, and WAT) through the Chicory engine, in both modes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExtismPluginTest {
    private static final ExtismEngineHarness COMPILED = new ExtismEngineHarness("compiled");
    private static final ExtismEngineHarness INTERPRETER = new ExtismEngineHarness("interpreter");

    private static ExtismEngineHarness engine(String mode) {
        return mode.equals("compiled") ? COMPILED : INTERPRETER;
    }

    @AfterAll
    static void close() {
        COMPILED.close();
        INTERPRETER.close();
    }

    @Test
    void detectsTheExtismAbiFromTheExports() {
        ModuleInfo v1 = COMPILED.engine().inspect(ExtismFixtures.bytes("as-v1.wasm"));
        assertThat(v1.abi()).isEqualTo(Abi.EXTISM);
        assertThat(v1.exports()).contains("describe", "call", "memory");
        assertThat(v1.imports()).contains("extism:host/env.alloc", "extism:host/env.output_set");
        assertThat(COMPILED.engine().inspect(ExtismFixtures.bytes("as-v2.wasm")).abi()).isEqualTo(Abi.EXTISM);
        assertThat(COMPILED.engine().inspect(ExtismFixtures.bytes("as-servlet.wasm")).abi()).isEqualTo(Abi.EXTISM);
        assertThat(Abi.fromLabel("extism")).contains(Abi.EXTISM);
    }

    @Test
    void refusesAnImportNobodyProvidesWithItsName() {
        assertThatThrownBy(() -> COMPILED.module("wat-unknown-import"))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessageContaining("extism:host/user.launch_missiles")
                .hasMessageContaining("extism:host/env");
    }

    @Test
    void refusesAnExtismAbiDeclaredForAModuleWithoutTheExports() {
        byte[] v1 = ExtismFixtures.bytes("as-v1.wasm");
        ModuleSource asKami = new ModuleSource("test.as-v1", v1, ExtismFixtures.sha256(v1), Abi.KAMI_V1);
        assertThatThrownBy(() -> COMPILED.engine().compile(asKami))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessageContaining("abi = \"kami-v1\"")
                .hasMessageContaining("kami_run");
        ModuleSource declared = new ModuleSource("test.as-v1", v1, ExtismFixtures.sha256(v1), Abi.EXTISM);
        assertThat(COMPILED.engine().compile(declared).info().abi()).isEqualTo(Abi.EXTISM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void listsTheToolsOfAV1Plugin(String mode) {
        EngineResult r = engine(mode).call("as-v1", "{\"$list_tools\": true}");
        assertThat(r.success()).as(r.message()).isTrue();
        assertThat(ExtismCall.toolNamesOf(r.output()))
                .containsExactly("echo", "fail", "config", "vars", "log", "http", "upper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void callsANamedToolOfEachContract(String mode) {
        for (String plugin : List.of("as-v1", "as-servlet", "as-v2")) {
            EngineResult r = engine(mode).call(plugin, "{\"$tool\":\"upper\",\"arguments\":{\"text\":\"héllo\"}}");
            assertThat(r.success()).as(plugin + ": " + r.message()).isTrue();
            assertThat(ExtismEngineHarness.text(r)).as(plugin).isEqualTo("HÉLLO");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void sendsEachContractItsOwnPayload(String mode) {
        String args = "{\"$tool\":\"echo\",\"arguments\":{\"n\":1}}";
        assertThat(ExtismEngineHarness.text(engine(mode).call("as-v1", args)))
                .isEqualTo("{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"n\":1}}}");
        assertThat(ExtismEngineHarness.text(engine(mode).call("as-v2", args)))
                .isEqualTo("{\"request\":{\"name\":\"echo\",\"arguments\":{\"n\":1}},\"context\":{\"id\":1,\"_meta\":{}}}");
    }

    @Test
    void aPluginOfSeveralToolsNeedsTheToolNamed() {
        EngineResult r = COMPILED.call("as-v1", "{\"text\":\"x\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.message()).contains("offering 7 tools [echo, fail, config, vars, log, http, upper]")
                .contains("$tool");
    }

    @Test
    void argumentsThatAreNotAnObjectAreRefused() {
        EngineResult r = COMPILED.call("as-v1", "{\"$tool\":\"echo\",\"arguments\":[1,2]}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.message()).contains("must be a JSON object, got [1,2]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aSingleToolPluginTakesTheArgumentsDirectly(String mode) {
        EngineResult r = engine(mode).call("wat-error", "{}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).isEqualTo("tool 'test.wat-error' reported an error (call returned 1): "
                + "boom: the WAT plugin failed");
    }

    @Test
    void isErrorBecomesAToolError() {
        EngineResult r = COMPILED.call("as-servlet", "{\"$tool\":\"fail\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).isEqualTo("tool 'test.as-servlet' (fail) reported an error: failed on purpose");
    }

    @Test
    void anUnknownToolIsThePluginsError() {
        EngineResult r = COMPILED.call("as-v1", "{\"$tool\":\"nope\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).endsWith("(call returned 1): unknown tool nope");
    }

    @Test
    void outputThatIsNotACallToolResultIsInvalid() {
        EngineResult r = COMPILED.call("wat-bad-result", "{}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_OUTPUT);
        assertThat(r.message()).contains("not an MCP CallToolResult").contains("this is not a CallToolResult");
    }

    @Test
    void configComesFromTheOperatorsConfigurationOfTheCall() {
        EngineResult r = COMPILED.call("as-v1", "{\"$tool\":\"config\"}", ExtismEngineHarness.perms(),
                Map.of("greeting", "bonjour"));
        assertThat(ExtismEngineHarness.text(r)).isEqualTo("bonjour");
        assertThat(ExtismEngineHarness.text(COMPILED.call("as-v1", "{\"$tool\":\"config\"}")))
                .isEqualTo("(no greeting)");
    }

    @Test
    void varsAndLogsWork() {
        assertThat(ExtismEngineHarness.text(COMPILED.call("as-v1", "{\"$tool\":\"vars\"}"))).isEqualTo("héllo");
        EngineResult logged = COMPILED.call("as-v1", "{\"$tool\":\"log\"}");
        assertThat(ExtismEngineHarness.text(logged)).isEqualTo("logged");
        assertThat(logged.logs()).contains(new LogEntry(2, "hello from AssemblyScript"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void hyperMcpHostFunctionsNotifyAndDeclineElicitation(String mode) {
        EngineResult r = engine(mode).call("as-v2", "{\"$tool\":\"notify\"}");
        assertThat(r.success()).as(r.message()).isTrue();
        assertThat(ExtismEngineHarness.text(r)).isEqualTo("elicitation {\"action\":\"decline\"} roots {\"roots\":[]}");
        assertThat(r.logs()).extracting(LogEntry::message).contains(
                "mcp notifications/progress {\"progressToken\":\"t\",\"progress\":1,\"total\":2}",
                "mcp notifications/message {\"level\":\"info\",\"data\":\"half way\"}",
                "mcp notifications/tools/list_changed",
                "mcp declined elicitation/create {\"message\":\"sure?\",\"requestedSchema\":{\"type\":\"object\"}}");
    }

    @Test
    void samplingIsDeclinedWithAToolError() {
        EngineResult r = COMPILED.call("as-v2", "{\"$tool\":\"sample\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).contains("asked the client for sampling (hyper-mcp create_message), which KAMI does "
                + "not offer yet; the request was declined");
        assertThat(r.message()).doesNotContain("java.", "dev.kami", "com.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void everyExtismImportIsProvided(String mode) {
        EngineResult r = engine(mode).call("wat-all-imports", "{}");
        assertThat(r.success()).as(r.message()).isTrue();
        assertThat(ExtismEngineHarness.text(r)).isEqualTo("{\"imports\":39}");
    }

    @Test
    void httpThroughTheGuardReachesAGrantedHost() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hi", exchange -> {
            byte[] body = "hello from the server".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String input = "{\"$tool\":\"http\",\"arguments\":{\"url\":\"http://127.0.0.1:" + port + "/hi\"}}";
            EngineResult ok = COMPILED.call("as-v1", input,
                    ExtismEngineHarness.perms().withNet(List.of("127.0.0.1:" + port)), Map.of());
            assertThat(ok.success()).as(ok.message()).isTrue();
            assertThat(ExtismEngineHarness.text(ok)).isEqualTo("200 hello from the server");

            EngineResult refused = COMPILED.call("as-v1", input, ExtismEngineHarness.perms(), Map.of());
            assertThat(refused.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
            assertThat(refused.message()).contains("0 {\"error\":\"denied\",\"message\":\"host '127.0.0.1' (port "
                    + port + ") is not in the tool's net grant []\"}");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theDefaultLimitsAreThePermissions() {
        EffectivePermissions p = ExtismEngineHarness.perms();
        assertThat(p.maxMemoryMb()).isEqualTo(16);
        assertThat(p.maxOutputBytes()).isEqualTo(1024 * 1024);
    }
}
