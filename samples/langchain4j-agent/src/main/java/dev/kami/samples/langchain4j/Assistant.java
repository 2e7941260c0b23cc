package dev.kami.samples.langchain4j;

import dev.langchain4j.service.SystemMessage;

/** The agent's interface; LangChain4j's AiServices implements it. */
public interface Assistant {

    @SystemMessage("You are a helpful assistant. Use the tools you are given; if a tool returns an error, "
            + "read it, fix the arguments and try again, or explain what went wrong.")
    String chat(String userMessage);
}
