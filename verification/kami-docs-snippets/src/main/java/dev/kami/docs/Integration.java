package dev.kami.docs;

import dev.kami.Kami;
import dev.kami.langchain4j.KamiToolProvider;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import dev.kami.springai.KamiToolCallbackProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.client.ChatClient;

/** The snippets of docs/INTEGRATION.md. */
final class Integration {
    private static final Logger log = LoggerFactory.getLogger(Integration.class);

    private Integration() {
    }

    static void serveFromJava() throws InterruptedException {
        // tag::serve[]
        try (Kami kami = Kami.builder().build()) {
            kami.loadAll().forEach(b -> log.warn("not serving {}: {}", b.id(), b.reason())); // compile first
            try (Server server = kami.serve("http", TransportConfig.of(Map.of("port", "8080", "token", "change-me")))) {
                server.awaitTermination();
            }
        }
        // end::serve[]
    }

    /** The LangChain4j AI service of the example. */
    interface Assistant {
        String chat(String userMessage);
    }

    static Assistant langchain4j(ChatModel chatModel, Path jsonTransform) {
        // tag::langchain4j[]
        Kami kami = Kami.builder().build();
        kami.install(jsonTransform);                                // e.g. kami/samples/tools/json-transform

        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(chatModel)                                   // any tool-calling ChatModel
                .toolProvider(KamiToolProvider.builder(kami)
                        .include("dev_kami_*")                           // globs over MCP names or ids
                        .exclude("dev_kami_http*")
                        .build())
                .build();
        // end::langchain4j[]
        return assistant;
    }

    static String springAi(Kami kami, org.springframework.ai.chat.model.ChatModel chatModel) {
        // tag::springai[]
        ChatClient chat = ChatClient.builder(chatModel)
                .defaultToolCallbacks(KamiToolCallbackProvider.builder(kami).include("dev_kami_*").build())
                .build();
        String answer = chat.prompt().user("Flatten {\"a\":{\"b\":1}}").call().content();
        // end::springai[]
        return answer;
    }
}
