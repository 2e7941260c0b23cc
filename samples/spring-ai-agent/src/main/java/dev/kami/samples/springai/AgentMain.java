package dev.kami.samples.springai;

import dev.kami.Kami;
import dev.kami.springai.KamiToolCallbackProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;

/**
 * A Spring AI {@link ChatClient} whose tools are KAMI tools running in the WebAssembly sandbox.
 * Plain Java, no Spring Boot: the README shows the Spring Boot bean form.
 *
 * <p>Run: {@code mvn -q -f samples/spring-ai-agent/pom.xml exec:java}, or after {@code package}:
 * {@code java -cp "target/classes:target/lib/*" dev.kami.samples.springai.AgentMain} from
 * {@code samples/spring-ai-agent}. The sample tools are read from the system property
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
            ChatClient chat = ChatClient.builder(model)
                    .defaultSystem("You are a helpful assistant. Use the tools you are given; if a tool returns an"
                            + " error, read it, fix the arguments and try again, or explain what went wrong.")
                    .defaultToolCallbacks(KamiToolCallbackProvider.builder(kami).include("dev_kami_*").build())
                    .build();

            ask(chat, "dev_kami_json-transform {\"action\":\"flatten\",\"data\":{\"a\":{\"b\":1,\"c\":[2]}}}");
            ask(chat, "dev_kami_json-transform {\"action\":\"explode\",\"data\":{}}");

            // Installed after the client was built: offered from the next request on.
            kami.install(tools.resolve("sha256"));
            ask(chat, "dev_kami_sha256 {\"data\":\"hello\"}");
        }
    }

    private static void ask(ChatClient chat, String question) {
        System.out.println("user> " + question);
        System.out.println("assistant> " + chat.prompt().user(question).call().content());
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
        throw new IllegalStateException("cannot find the sample tools; run from samples/spring-ai-agent or pass"
                + " -Dkami.samples.tools=/path/to/samples/tools");
    }
}
