package dev.kami.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import dev.kami.manifest.Abi;
import dev.kami.policy.Permission;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every committed sample tool, installed into a real in-memory Kami on the real Chicory engine,
 * answers as documented.
 */
@Timeout(120)
class SampleToolsTest {
    static final Path TOOLS = Path.of("tools");
    static Kami kami;

    @BeforeAll
    static void installAll() throws IOException {
        kami = Kami.builder().inMemory().build();
        try (Stream<Path> dirs = Files.list(TOOLS)) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("tool.toml"))).sorted().toList()) {
                kami.install(dir);
            }
        }
    }

    @AfterAll
    static void close() {
        kami.close();
    }

    private static ToolResult call(String id, String json) {
        ToolResult r = kami.call(id, json);
        assertThat(r.isError()).as(id + " failed: " + r.text()).isFalse();
        return r;
    }

    @Test
    void everySampleIsInstalled() {
        assertThat(kami.list()).extracting(t -> t.id().value()).contains("dev.kami.echo", "dev.kami.hello-world",
                "dev.kami.json-transform", "dev.kami.http-fetch", "dev.kami.sha256");
    }

    @Test
    void helloWorldIsAWasiCommandInC() {
        assertThat(kami.tool("dev.kami.hello-world").abi()).isEqualTo(Abi.WASI_COMMAND);
        assertThat(call("dev.kami.hello-world", "{\"name\":\"KAMI\"}").text().strip()).isEqualTo("Hello, KAMI!");
    }

    @Test
    void echoReturnsItsInputAsStructuredContent() {
        ToolResult r = call("dev.kami.echo", "{\"message\":\"hi ✓\"}");
        assertThat(r.text()).isEqualTo("{\"message\":\"hi ✓\"}");
        assertThat(r.structuredJson()).isEqualTo("{\"message\":\"hi ✓\"}");
    }

    @Test
    void jsonTransformPicksFlattensAndCounts() {
        String data = "{\"a\":1,\"b\":{\"c\":2,\"d\":[1,2]},\"e\":\"x\"}";
        assertThat(call("dev.kami.json-transform", "{\"action\":\"pick\",\"data\":" + data + ",\"keys\":[\"a\",\"e\"]}")
                .structuredJson()).isEqualTo("{\"a\":1,\"e\":\"x\"}");
        assertThat(call("dev.kami.json-transform", "{\"action\":\"flatten\",\"data\":" + data + "}").structuredJson())
                .contains("\"b.c\":2").contains("\"a\":1");
        assertThat(call("dev.kami.json-transform", "{\"action\":\"count\",\"data\":" + data + "}").text()).contains("3");
        ToolResult bad = kami.call("dev.kami.json-transform", "{\"action\":\"explode\",\"data\":{}}");
        assertThat(bad.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(bad.text()).contains("explode");
    }

    @Test
    void sha256HashesAndIterates() {
        assertThat(call("dev.kami.sha256", "{\"data\":\"abc\"}").text())
                .contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String once = call("dev.kami.sha256", "{\"data\":\"abc\",\"rounds\":1}").text();
        String twice = call("dev.kami.sha256", "{\"data\":\"abc\",\"rounds\":2}").text();
        assertThat(twice).isNotEqualTo(once)
                .contains("4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358"); // sha256(sha256("abc"))
    }

    @Test
    void sdkSamplesGreet() {
        assertThat(call("dev.kami.hello-assemblyscript", "{\"name\":\"Ada\"}").text()).contains("Ada");
        assertThat(call("dev.kami.hello-java", "{\"name\":\"Ada\"}").text()).contains("Ada");
        // raw WAT, no SDK: a tiny lookup of "name" that copies the JSON string as written
        assertThat(call("dev.kami.hello-wat", "{\"name\":\"Ada\"}").structuredJson())
                .isEqualTo("{\"greeting\":\"Hello, Ada!\"}");
        assertThat(call("dev.kami.hello-wat", "{ \"name\" : \"A \\\"da\\\"\" }").structuredJson())
                .isEqualTo("{\"greeting\":\"Hello, A \\\"da\\\"!\"}");
    }

    @Test
    void httpFetchReachesOnlyWhatIsGranted() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", ex -> {
            byte[] body = "hello from the host".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hello";
            InstalledTool t = kami.tool("dev.kami.http-fetch");
            assertThat(t.effective().netAllowList()).containsExactly("*");
            ToolResult denied = kami.call("dev.kami.http-fetch", "{\"url\":\"" + url + "\"}");
            assertThat(denied.isError()).as("loopback is refused unless its IP literal is granted").isTrue();
            assertThat(denied.text()).contains("127.0.0.1");

            kami.grant("dev.kami.http-fetch", Permission.parse("net:127.0.0.1:" + server.getAddress().getPort()));
            // the request asks for "*", which covers the granted literal: effective = the literal
            ToolResult ok = kami.call("dev.kami.http-fetch", "{\"url\":\"" + url + "\"}");
            assertThat(ok.isError()).as(ok.text()).isFalse();
            assertThat(ok.structuredJson()).contains("\"status\":200").contains("hello from the host");
        } finally {
            server.stop(0);
            kami.revoke("dev.kami.http-fetch", Permission.parse("net:127.0.0.1:" + server.getAddress().getPort()));
        }
    }
}
