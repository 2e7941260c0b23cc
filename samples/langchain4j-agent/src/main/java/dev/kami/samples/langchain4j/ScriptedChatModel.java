package dev.kami.samples.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;

/**
 * A stand-in for a real model, so the sample runs offline: given a user message of the form
 * {@code "<tool name> <json arguments>"} it asks for that tool call (if the tool was offered);
 * given a tool result it answers with it. Replace it with a real {@code ChatModel} (see
 * README.md); nothing else changes.
 */
final class ScriptedChatModel implements ChatModel {

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        if (last instanceof ToolExecutionResultMessage result) {
            String answer = Boolean.TRUE.equals(result.isError())
                    ? "The tool " + result.toolName() + " reported an error, so I cannot answer: " + result.text()
                    : "The tool " + result.toolName() + " answered: " + result.text();
            return ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
        }
        String text = last instanceof UserMessage u ? u.singleText().trim() : "";
        int space = text.indexOf(' ');
        String tool = space < 0 ? text : text.substring(0, space);
        String arguments = space < 0 ? "{}" : text.substring(space + 1);
        boolean offered = request.toolSpecifications().stream().map(ToolSpecification::name).anyMatch(tool::equals);
        if (!offered) {
            List<String> names = request.toolSpecifications().stream().map(ToolSpecification::name).toList();
            return ChatResponse.builder()
                    .aiMessage(AiMessage.from("I have no tool named '" + tool + "'. I can use: " + names)).build();
        }
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call-1").name(tool).arguments(arguments).build();
        return ChatResponse.builder().aiMessage(AiMessage.from(call)).build();
    }
}
