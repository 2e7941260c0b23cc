package dev.kami.samples.springai;

import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * A stand-in for a real model, so the sample runs offline: given a user message of the form
 * {@code "<tool name> <json arguments>"} it asks for that tool call (if the tool was offered);
 * given a tool response it answers with it. Replace it with a real {@code ChatModel} (see
 * README.md); nothing else changes.
 */
final class ScriptedChatModel implements ChatModel {

    @Override
    public ChatResponse call(Prompt prompt) {
        List<Message> messages = prompt.getInstructions();
        Message last = messages.get(messages.size() - 1);
        if (last instanceof ToolResponseMessage response) {
            ToolResponseMessage.ToolResponse r = response.getResponses().get(0);
            String answer = r.responseData().startsWith("Error (")
                    ? "The tool " + r.name() + " reported an error, so I cannot answer: " + r.responseData()
                    : "The tool " + r.name() + " answered: " + r.responseData();
            return reply(AssistantMessage.builder().content(answer).build());
        }
        String text = last instanceof UserMessage u && u.getText() != null ? u.getText().trim() : "";
        int space = text.indexOf(' ');
        String tool = space < 0 ? text : text.substring(0, space);
        String arguments = space < 0 ? "{}" : text.substring(space + 1);
        List<String> offered = prompt.getOptions() instanceof ToolCallingChatOptions o && o.getToolCallbacks() != null
                ? o.getToolCallbacks().stream().map(ToolCallback::getToolDefinition).map(d -> d.name()).toList()
                : List.of();
        if (!offered.contains(tool)) {
            return reply(AssistantMessage.builder().content("I have no tool named '" + tool + "'. I can use: " + offered)
                    .build());
        }
        return reply(AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall("call-1", "function", tool, arguments))).build());
    }

    /** Tool-calling options, so that ChatClient's tool-calling advisor runs the tool loop. */
    @Override
    public ChatOptions getOptions() {
        return ToolCallingChatOptions.builder().build();
    }

    private static ChatResponse reply(AssistantMessage message) {
        return new ChatResponse(List.of(new Generation(message)));
    }
}
