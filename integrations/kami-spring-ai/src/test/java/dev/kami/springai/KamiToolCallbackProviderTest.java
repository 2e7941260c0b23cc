package dev.kami.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.springai.KamiToolCallback.ErrorHandling;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.execution.ToolExecutionException;

/** Spring AI's ChatClient tool-calling loop with a scripted model and real sample tools. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KamiToolCallbackProviderTest {

    static final Path TOOLS = Path.of("../../samples/tools");

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

    private static String ask(ScriptedChatModel model, ToolCallbackProvider provider, String question) {
        return ChatClient.builder(model).defaultToolCallbacks(provider).build()
                .prompt().user(question).call().content();
    }

    @Test
    void toolResultFromTheSandboxIsFedBackToTheModel() {
        String echo = mcpName("dev.kami.echo");
        ScriptedChatModel model = new ScriptedChatModel(echo, "{\"message\":\"hello from the sandbox\"}");

        String answer = ask(model, KamiToolCallbackProvider.of(kami), "echo something");

        ToolResponseMessage.ToolResponse seen = model.toolResponseSeen();
        assertThat(seen.name()).isEqualTo(echo);
        assertThat(seen.id()).isEqualTo("call-1");
        assertThat(seen.responseData()).contains("\"message\"").contains("hello from the sandbox");
        assertThat(answer).startsWith("The tool said: ").contains("hello from the sandbox");
        assertThat(model.prompts).hasSize(2);
    }

    @Test
    void toolErrorIsFedBackAsTextAndTheLoopGoesOn() {
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.json-transform"),
                "{\"action\":\"explode\",\"data\":{\"a\":1}}");

        String answer = ask(model, KamiToolCallbackProvider.of(kami), "transform this");

        assertThat(model.toolResponseSeen().responseData())
                .startsWith("Error (TOOL_ERROR): ").contains("unknown action 'explode'");
        assertThat(answer).contains("unknown action 'explode'");
    }

    @Test
    void argumentsThatAreNotAnObjectComeBackAsInvalidArguments() {
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.echo"), "\"just a string\"");

        ask(model, KamiToolCallbackProvider.of(kami), "echo");

        assertThat(model.toolResponseSeen().responseData()).startsWith("Error (INVALID_ARGUMENTS): ");
    }

    @Test
    void throwModeGoesThroughSpringAisExceptionProcessorAndStillReachesTheModel() {
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.json-transform"),
                "{\"action\":\"explode\",\"data\":{}}");
        var provider = KamiToolCallbackProvider.builder(kami).errorHandling(ErrorHandling.THROW).build();

        ask(model, provider, "transform this");

        // The default DefaultToolExecutionExceptionProcessor sends the exception's message.
        assertThat(model.toolResponseSeen().responseData())
                .startsWith("Error (TOOL_ERROR): ").contains("unknown action 'explode'");
    }

    @Test
    void throwModeThrowsSpringAisToolExecutionExceptionWithKamisCause() {
        ToolCallback transform = KamiToolCallbackProvider.builder(kami).include("*json*")
                .errorHandling(ErrorHandling.THROW).build().getToolCallbacks()[0];

        assertThatThrownBy(() -> transform.call("{\"action\":\"explode\",\"data\":{}}"))
                .isInstanceOf(ToolExecutionException.class)
                .hasMessageContaining("unknown action 'explode'")
                .cause().isInstanceOf(dev.kami.ToolExecutionException.class);
    }

    @Test
    void toolRemovedAfterListingComesBackAsRejectedText() {
        ToolCallback echo = KamiToolCallbackProvider.builder(kami).include("*echo").build().getToolCallbacks()[0];
        kami.uninstall("dev.kami.echo");

        assertThat(echo.call("{\"message\":\"x\"}")).startsWith("Error (REJECTED): ");
        assertThat(((KamiToolCallback) echo).callKami("{}").errorKind()).isEqualTo(ToolErrorKind.REJECTED);
    }

    @Test
    void definitionCarriesMcpNameDescriptionAndTheFullSchema() {
        ToolCallback transform = KamiToolCallbackProvider.builder(kami).include("dev.kami.json-transform").build()
                .getToolCallbacks()[0];

        assertThat(transform.getToolDefinition().name()).isEqualTo(mcpName("dev.kami.json-transform"));
        assertThat(transform.getToolDefinition().description()).startsWith("Transforms JSON data");
        assertThat(transform.getToolDefinition().inputSchema()).isEqualTo(kami.tool("dev.kami.json-transform").inputSchema());
        assertThat(transform.getToolMetadata().returnDirect()).isFalse();
    }

    @Test
    void toolsInstalledLaterAreSeenOnTheNextRequest() {
        var provider = KamiToolCallbackProvider.of(kami);
        ScriptedChatModel model = new ScriptedChatModel(mcpName("dev.kami.echo"), "{\"message\":\"x\"}");
        ChatClient client = ChatClient.builder(model).defaultToolCallbacks(provider).build();

        client.prompt().user("first").call().content();
        List<String> before = model.toolNamesOffered(0);
        kami.install(TOOLS.resolve("sha256"));
        kami.disable("dev.kami.json-transform");
        client.prompt().user("second").call().content();
        List<String> after = model.toolNamesOffered(model.prompts.size() - 1);

        assertThat(before).containsExactlyInAnyOrder(mcpName("dev.kami.echo"), mcpName("dev.kami.json-transform"));
        assertThat(after).containsExactlyInAnyOrder(mcpName("dev.kami.echo"), mcpName("dev.kami.sha256"));
    }

    @Test
    void nameFilterKeepsOnlyMatchingToolsAndCallbacksAreCached() {
        var provider = KamiToolCallbackProvider.builder(kami).include("dev_kami_*").exclude("*json*").build();

        ToolCallback[] first = provider.getToolCallbacks();
        ToolCallback[] second = provider.getToolCallbacks();

        assertThat(Arrays.stream(first).map(c -> c.getToolDefinition().name()))
                .containsExactly(mcpName("dev.kami.echo"));
        assertThat(second[0]).isSameAs(first[0]);
    }
}
