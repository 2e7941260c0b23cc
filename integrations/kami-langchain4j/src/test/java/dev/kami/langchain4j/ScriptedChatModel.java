package dev.kami.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A chat model that, when the last message is the user's, asks for one tool call, and when the
 * last message is a tool result, answers with that result. Records every request it receives.
 */
final class ScriptedChatModel implements ChatModel {

    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private final String toolName;
    private final String arguments;

    ScriptedChatModel(String toolName, String arguments) {
        this.toolName = toolName;
        this.arguments = arguments;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        if (last instanceof ToolExecutionResultMessage result) {
            String prefix = Boolean.TRUE.equals(result.isError()) ? "The tool failed: " : "The tool said: ";
            return ChatResponse.builder().aiMessage(AiMessage.from(prefix + result.text())).build();
        }
        ToolExecutionRequest call = ToolExecutionRequest.builder()
                .id("call-" + requests.size()).name(toolName).arguments(arguments).build();
        return ChatResponse.builder().aiMessage(AiMessage.from(call)).build();
    }

    /** @return the tool result message the model received in its second request */
    ToolExecutionResultMessage toolResultSeen() {
        for (ChatRequest r : requests) {
            for (ChatMessage m : r.messages()) {
                if (m instanceof ToolExecutionResultMessage t) {
                    return t;
                }
            }
        }
        throw new AssertionError("the model never received a tool result; requests: " + requests);
    }
}
