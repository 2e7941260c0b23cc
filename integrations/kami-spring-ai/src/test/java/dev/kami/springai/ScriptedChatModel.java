package dev.kami.springai;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/**
 * A chat model that asks for one tool call when the last message is the user's and answers with
 * the tool's response when the last message is a tool response. Records every prompt.
 */
final class ScriptedChatModel implements ChatModel {

    final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    private final String toolName;
    private final String arguments;

    ScriptedChatModel(String toolName, String arguments) {
        this.toolName = toolName;
        this.arguments = arguments;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        prompts.add(prompt);
        List<Message> messages = prompt.getInstructions();
        Message last = messages.get(messages.size() - 1);
        AssistantMessage answer;
        if (last instanceof ToolResponseMessage response) {
            answer = AssistantMessage.builder().content("The tool said: " + response.getResponses().get(0).responseData())
                    .build();
        } else {
            answer = AssistantMessage.builder().content("")
                    .toolCalls(List.of(new AssistantMessage.ToolCall("call-" + prompts.size(), "function", toolName,
                            arguments)))
                    .build();
        }
        return new ChatResponse(List.of(new Generation(answer)));
    }

    /** Tool-calling options, so that ChatClient's tool-calling advisor drives the loop. */
    @Override
    public ChatOptions getOptions() {
        return ToolCallingChatOptions.builder().build();
    }

    ToolResponseMessage.ToolResponse toolResponseSeen() {
        for (Prompt p : prompts) {
            for (Message m : p.getInstructions()) {
                if (m instanceof ToolResponseMessage t) {
                    return t.getResponses().get(0);
                }
            }
        }
        throw new AssertionError("the model never received a tool response; prompts: " + prompts);
    }

    List<String> toolNamesOffered(int promptIndex) {
        ToolCallingChatOptions options = (ToolCallingChatOptions) prompts.get(promptIndex).getOptions();
        return options.getToolCallbacks().stream().map(c -> c.getToolDefinition().name()).toList();
    }
}
