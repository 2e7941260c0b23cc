package dev.kami.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.AiServiceTool;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.langchain4j.data.message.UserMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An AiServices assistant calling real sample tools through a scripted model. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KamiToolProviderTest {

    static final Path TOOLS = Path.of("../../samples/tools");

    interface Assistant {
        String chat(String message);
    }

    Kami kami;

    @BeforeEach
    void startKami() {
        kami = Kami.builder().inMemory().workers(2).build();
        kami.install(TOOLS.resolve("echo"));
        kami.install(TOOLS.resolve("json-transform"));
    }

    @AfterEach
    void closeKami() {
        kami.close();
    }

    private String mcpName(String id) {
        return kami.tool(id).mcpName();
    }

    private Assistant assistant(ScriptedChatModel model, KamiToolProvider provider) {
        return AiServices.builder(Assistant.class).chatModel(model).toolProvider(provider).build();
    }

    @Test
    void toolResultFromTheSandboxIsFedBackToTheModel() {
        String echo = mcpName("dev.kami.echo");
        ScriptedChatModel model = new ScriptedChatModel(echo, "{\"message\":\"hello from the sandbox\"}");

        String answer = assistant(model, KamiToolProvider.of(kami)).chat("echo something");

        ToolExecutionResultMessage seen = model.toolResultSeen();
        assertThat(seen.toolName()).isEqualTo(echo);
        assertThat(seen.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(seen.text()).contains("\"message\"").contains("hello from the sandbox");
        assertThat(answer).startsWith("The tool said: ").contains("hello from the sandbox");
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void toolErrorIsFedBackAsAnErrorResultAndTheLoopGoesOn() {
        String transform = mcpName("dev.kami.json-transform");
        ScriptedChatModel model = new ScriptedChatModel(transform, "{\"action\":\"explode\",\"data\":{\"a\":1}}");

        String answer = assistant(model, KamiToolProvider.of(kami)).chat("transform this");

        ToolExecutionResultMessage seen = model.toolResultSeen();
        assertThat(seen.isError()).isTrue();
        assertThat(seen.text()).startsWith("Error (TOOL_ERROR): ").contains("unknown action 'explode'");
        assertThat(answer).startsWith("The tool failed: ").contains("unknown action 'explode'");
    }

    @Test
    void missingRequiredArgumentIsRefusedBeforeTheToolRunsAndTheModelIsTold() {
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.json-transform"), "{\"action\":\"count\"}");

        assistant(model, KamiToolProvider.of(kami)).chat("count");

        ToolExecutionResultMessage seen = model.toolResultSeen();
        assertThat(seen.isError()).isTrue();
        assertThat(seen.text()).isEqualTo("Error (INVALID_ARGUMENTS): arguments to dev.kami.json-transform do not match"
                + " its input schema: required property 'data' not found. Call it again with arguments that fit the"
                + " schema (tools/list shows it)");
    }

    @Test
    void argumentsThatAreNotAnObjectComeBackAsInvalidArguments() {
        String echo = mcpName("dev.kami.echo");
        ScriptedChatModel model = new ScriptedChatModel(echo, "[1, 2");

        assistant(model, KamiToolProvider.of(kami)).chat("echo");

        ToolExecutionResultMessage seen = model.toolResultSeen();
        assertThat(seen.isError()).isTrue();
        assertThat(seen.text()).startsWith("Error (INVALID_ARGUMENTS): ");
    }

    @Test
    void toolRemovedAfterListingComesBackAsRejectedNotAsAnException() {
        String echo = mcpName("dev.kami.echo");
        KamiToolProvider provider = KamiToolProvider.of(kami);
        var tools = provider.provideTools(request());
        kami.uninstall("dev.kami.echo");

        var result = tool(tools, echo).toolExecutor().executeWithContext(
                dev.langchain4j.agent.tool.ToolExecutionRequest.builder().id("1").name(echo).arguments("{}").build(),
                null);

        assertThat(result.isError()).isTrue();
        assertThat(result.resultText()).startsWith("Error (REJECTED): ");
        assertThat(result.attributes()).containsEntry(KamiToolExecutor.ATTR_ERROR_KIND, "REJECTED");
    }

    @Test
    void specificationCarriesMcpNameDescriptionAndSchema() {
        ToolSpecification spec = tool(KamiToolProvider.of(kami).provideTools(request()),
                mcpName("dev.kami.json-transform")).toolSpecification();

        assertThat(spec.description()).startsWith("Transforms JSON data");
        assertThat(spec.parameters().properties()).containsOnlyKeys("action", "data", "keys");
        assertThat(spec.parameters().required()).containsExactly("action", "data");
    }

    @Test
    void toolsInstalledAfterTheProviderWasBuiltAreSeenOnTheNextRequest() {
        KamiToolProvider provider = KamiToolProvider.of(kami);
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.echo"), "{\"message\":\"x\"}");
        Assistant assistant = assistant(model, provider);

        assistant.chat("first");
        List<String> before = names(model.requests.get(0).toolSpecifications());
        kami.install(TOOLS.resolve("sha256"));
        kami.disable("dev.kami.json-transform");
        assistant.chat("second");
        List<String> after = names(model.requests.get(model.requests.size() - 1).toolSpecifications());

        assertThat(before).containsExactlyInAnyOrder(mcpName("dev.kami.echo"), mcpName("dev.kami.json-transform"));
        assertThat(after).containsExactlyInAnyOrder(mcpName("dev.kami.echo"), mcpName("dev.kami.sha256"));
    }

    @Test
    void nameFilterKeepsOnlyMatchingTools() {
        KamiToolProvider byGlob = KamiToolProvider.builder(kami).include("*json*").build();
        KamiToolProvider byId = KamiToolProvider.builder(kami).include("dev.kami.*").exclude("dev.kami.echo").build();
        KamiToolProvider byPredicate = KamiToolProvider.builder(kami)
                .filter(t -> Boolean.TRUE.equals(t.manifest().annotations().readOnly()) && t.id().toString().endsWith("echo")).build();

        assertThat(names(byGlob)).containsExactly(mcpName("dev.kami.json-transform"));
        assertThat(names(byId)).containsExactly(mcpName("dev.kami.json-transform"));
        assertThat(names(byPredicate)).containsExactly(mcpName("dev.kami.echo"));
    }

    @Test
    void staticByDefaultDynamicOnRequest() {
        assertThat(KamiToolProvider.of(kami).isDynamic()).isFalse();
        assertThat(KamiToolProvider.builder(kami).dynamic(true).build().isDynamic()).isTrue();
    }

    @Test
    void schemaConversionIsCachedPerToolVersion() {
        KamiToolProvider provider = KamiToolProvider.of(kami);
        var tool = kami.tool("dev.kami.echo");

        assertThat(provider.specification(tool)).isSameAs(provider.specification(kami.tool("dev.kami.echo")));
    }

    private static ToolProviderRequest request() {
        return new ToolProviderRequest("memory", UserMessage.from("hi"));
    }

    private static List<String> names(KamiToolProvider p) {
        return p.provideTools(request()).aiServiceTools().stream().map(AiServiceTool::name).toList();
    }

    private static AiServiceTool tool(ToolProviderResult result, String name) {
        return result.aiServiceTools().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no tool " + name + " in " + result.aiServiceTools()));
    }

    private static List<String> names(List<ToolSpecification> specs) {
        return specs.stream().map(ToolSpecification::name).toList();
    }
}
