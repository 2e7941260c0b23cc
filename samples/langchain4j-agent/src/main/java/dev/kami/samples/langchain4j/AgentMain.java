package dev.kami.samples.langchain4j;

import dev.kami.Kami;
import dev.kami.langchain4j.KamiToolProvider;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An AiServices assistant whose tools are KAMI tools running in the WebAssembly sandbox.
 *
 * <p>Run: {@code mvn -q -f samples/langchain4j-agent/pom.xml exec:java}, or after
 * {@code package}: {@code java -cp "target/classes:target/lib/*" dev.kami.samples.langchain4j.AgentMain}
 * from {@code samples/langchain4j-agent}. The sample tools are read from the system property
 * {@code kami.samples.tools}, else from the first of {@code ../tools}, {@code samples/tools}
 * that exists.
 */
public final class AgentMain {

    private AgentMain() {
    }

    public static void main(String[] args) {
        Path tools = toolsDir();
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(tools.resolve("echo"));
            kami.install(tools.resolve("json-transform"));

            ChatModel model = new ScriptedChatModel(); // swap in a real model here, see README.md
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(model)
                    .chatMemory(MessageWindowChatMemory.withMaxMessages(20))
                    .toolProvider(KamiToolProvider.builder(kami).include("dev_kami_*").build())
                    .build();

            ask(assistant, "dev_kami_json-transform {\"action\":\"count\",\"data\":{\"a\":1,\"b\":[1,2,3]}}");
            ask(assistant, "dev_kami_json-transform {\"action\":\"explode\",\"data\":{}}");

            // Installed after the assistant was built: offered from the next request on.
            kami.install(tools.resolve("sha256"));
            ask(assistant, "dev_kami_sha256 {\"data\":\"hello\"}");
        }
    }

    private static void ask(Assistant assistant, String question) {
        System.out.println("user> " + question);
        System.out.println("assistant> " + assistant.chat(question));
        System.out.println();
    }

    private static Path toolsDir() {
        String configured = System.getProperty("kami.samples.tools");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String candidate : new String[] {"../tools", "samples/tools", "../../samples/tools"}) {
            if (Files.isDirectory(Path.of(candidate, "echo"))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("cannot find the sample tools; run from samples/langchain4j-agent or pass"
                + " -Dkami.samples.tools=/path/to/samples/tools");
    }
}
