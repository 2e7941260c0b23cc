package dev.kami.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kami.InstallException;
import dev.kami.core.pkg.PackageReader;
import dev.kami.core.pkg.ToolPackage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryIndexTest {
    private static final String ENTRIES = """
            [{"id":"dev.kami.echo","name":"echo","version":"1.0.0","description":"Echoes its input",
              "source":"kami-tools/echo@v1.0.0","wasm_sha256":"ABCDEF"},
             {"id":"dev.kami.json-transform","name":"json-transform","version":"1.2.0",
              "description":"Transforms JSON with a path","source":"kami-tools/json-transform@v1.2.0",
              "signature":"aa","signer_public_key":"bb"}]""";

    @Test
    void readsATopLevelArrayAndAToolsObjectAlike() {
        RegistryIndex a = RegistryIndex.parse(ENTRIES, "a.json");
        RegistryIndex b = RegistryIndex.parse("{\"tools\":" + ENTRIES + "}", "b.json");
        assertThat(a.entries()).hasSize(2).isEqualTo(b.entries());
        assertThat(a.entries().get(0).wasmSha256()).isEqualTo("abcdef");
        assertThat(a.entries().get(1).signed()).isTrue();
    }

    @Test
    void searchNeedsEveryWordAndPutsExactNamesFirst() {
        RegistryIndex index = RegistryIndex.parse(ENTRIES, "a.json");
        assertThat(index.search("JSON path")).extracting(RegistryEntry::id).containsExactly("dev.kami.json-transform");
        assertThat(index.search("json echo")).isEmpty();
        assertThat(index.search("")).hasSize(2);
        assertThat(index.search("json-transform").get(0).name()).isEqualTo("json-transform");
    }

    @Test
    void refusesWhatIsNotAnIndexWithTheReason() {
        assertThatThrownBy(() -> RegistryIndex.parse("{\"x\":1}", "bad.json")).isInstanceOf(InstallException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("\"tools\" array");
        assertThatThrownBy(() -> RegistryIndex.parse("[{\"id\":\"a.b\",\"name\":\"n\",\"version\":\"1.0.0\"}]",
                "x.json")).isInstanceOf(InstallException.class).hasMessageContaining("entry 0")
                .hasMessageContaining("'source'");
        assertThatThrownBy(() -> RegistryIndex.parse("not json", "y.json")).isInstanceOf(InstallException.class)
                .hasMessageContaining("is not JSON");
        assertThatThrownBy(() -> RegistryIndex.parse("[{\"id\":\"a.b\",\"name\":\"n\",\"version\":\"1\","
                + "\"source\":\"s\",\"signature\":\"aa\"}]", "z.json")).isInstanceOf(InstallException.class)
                .hasMessageContaining("signer_public_key");
    }

    @Test
    void loadsFromAFileAndSaysWhenItIsMissing(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("index.json");
        Files.writeString(f, ENTRIES);
        assertThat(RegistryIndex.load(f.toString()).entries()).hasSize(2);
        assertThatThrownBy(() -> RegistryIndex.load(dir.resolve("nope.json").toString()))
                .isInstanceOf(InstallException.class).hasMessageContaining("does not exist");
    }

    @Test
    void loadsFromHttpAndRefusesAnOversizedIndex() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] ok = ENTRIES.getBytes(StandardCharsets.UTF_8);
        server.createContext("/index.json", ex -> {
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        server.createContext("/huge.json", ex -> {
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 16];
            try (var out = ex.getResponseBody()) {
                for (long sent = 0; sent <= RegistryIndex.MAX_INDEX_BYTES; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (java.io.IOException closedByClient) {
                // the client stops reading once the bound is passed
            }
        });
        server.createContext("/missing.json", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(RegistryIndex.load(base + "/index.json").search("echo")).hasSize(1);
            assertThatThrownBy(() -> RegistryIndex.load(base + "/huge.json")).isInstanceOf(InstallException.class)
                    .hasMessageContaining("larger than");
            assertThatThrownBy(() -> RegistryIndex.load(base + "/missing.json")).isInstanceOf(InstallException.class)
                    .hasMessageContaining("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void publishesTheEntryOfASamplePackage() {
        ToolPackage pkg = new PackageReader().read(Path.of("..", "samples", "tools", "echo"));
        RegistryEntry e = RegistryIndex.entryFor(pkg, "me/echo@v1.0.0");
        assertThat(e.id()).isEqualTo("dev.kami.echo");
        assertThat(e.source()).isEqualTo("me/echo@v1.0.0");
        assertThat(e.wasmSha256()).isEqualTo(pkg.sha256());
        String json = RegistryIndex.toJson(e);
        assertThat(json).contains("\"wasm_sha256\" : \"" + pkg.sha256() + "\"").doesNotContain("signer_public_key");
        assertThat(RegistryIndex.parse("[" + json + "]", "round-trip").entries()).containsExactly(e);
    }
}
