package dev.kami.core.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kami.InstallException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PackageReaderTest {
    private static final String TOML = """
            [tool]
            id = "dev.kami.zipped"
            name = "zipped"
            version = "1.0.0"
            wasm = "z.wasm"
            [mcp]
            description = "x"
            """;

    @TempDir
    Path dir;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAZipAtTheRootOrUnderOneTopDirectory() throws IOException {
        ToolPackage p = new PackageReader().readZip(zip(Map.of("tool.toml", utf8(TOML), "z.wasm", utf8("mod"))), "a.zip");
        assertThat(p.manifest().id().value()).isEqualTo("dev.kami.zipped");
        assertThat(new String(p.module(), StandardCharsets.UTF_8)).isEqualTo("mod");
        ToolPackage nested = new PackageReader().readZip(zip(Map.of("zipped-1.0/tool.toml", utf8(TOML),
                "zipped-1.0/z.wasm", utf8("mod2"))), "b.zip");
        assertThat(new String(nested.module(), StandardCharsets.UTF_8)).isEqualTo("mod2");
        Path file = dir.resolve("pkg.zip");
        Files.write(file, zip(Map.of("tool.toml", utf8(TOML), "z.wasm", utf8("m3"))));
        assertThat(new PackageReader().read(file.toString()).source()).isEqualTo(file.toString());
    }

    @Test
    void zipSlipEntriesAreRefused() throws IOException {
        for (String evil : new String[] {"../evil.sh", "a/../../evil", "/etc/passwd", "C:/x", "a\\..\\b"}) {
            byte[] z = zip(Map.of("tool.toml", utf8(TOML), evil, utf8("x")));
            assertThatThrownBy(() -> new PackageReader().readZip(z, "evil.zip"))
                    .isInstanceOf(InstallException.class)
                    .hasMessage("zip evil.zip has an entry '" + evil + "' that would leave the package (zip slip); refused");
        }
    }

    @Test
    void zipBombStopsWhileInflating() throws IOException {
        byte[] zeros = new byte[4 << 20];
        byte[] bomb = zip(Map.of("tool.toml", utf8(TOML), "z.wasm", zeros));
        assertThat(bomb.length).isLessThan(64 * 1024);
        PackageReader small = new PackageReader(new PackageReader.Limits(64L << 20, 1000, 1 << 20, 64L << 20, Duration.ofSeconds(5)));
        assertThatThrownBy(() -> small.readZip(bomb, "bomb.zip"))
                .isInstanceOf(InstallException.class)
                .hasMessage("zip bomb.zip inflates to more than 1048576 bytes; refused as a possible zip bomb");
        PackageReader fewEntries = new PackageReader(new PackageReader.Limits(64L << 20, 2, 1 << 20, 64L << 20, Duration.ofSeconds(5)));
        byte[] many = zip(Map.of("tool.toml", utf8(TOML), "z.wasm", utf8("m"), "c", utf8("c")));
        assertThatThrownBy(() -> fewEntries.readZip(many, "many.zip"))
                .hasMessage("zip many.zip has more than 2 entries; refused as a possible zip bomb");
    }

    @Test
    void zipWithoutManifestOrModuleIsRefused() throws IOException {
        assertThatThrownBy(() -> new PackageReader().readZip(zip(Map.of("x", utf8("x"))), "n.zip"))
                .hasMessage("zip n.zip holds no tool.toml at its root or in one top-level directory");
        assertThatThrownBy(() -> new PackageReader().readZip(zip(Map.of("tool.toml", utf8(TOML))), "n.zip"))
                .hasMessage("module 'z.wasm' named by tool.toml is not in zip n.zip");
        assertThatThrownBy(() -> new PackageReader().readZip(utf8("not a zip"), "n.zip"))
                .hasMessageContaining("n.zip is not a zip archive");
    }

    @Test
    void directoryModuleMustStayInsideThePackage() throws IOException {
        Path pkg = dir.resolve("pkg");
        Files.createDirectories(pkg);
        Path outside = dir.resolve("outside.wasm");
        Files.write(outside, utf8("secret"));
        Files.writeString(pkg.resolve("tool.toml"), TOML);
        Files.createSymbolicLink(pkg.resolve("z.wasm"), outside);
        assertThatThrownBy(() -> new PackageReader().read(pkg))
                .isInstanceOf(InstallException.class)
                .hasMessageContaining("module 'z.wasm' in " + pkg.toAbsolutePath().normalize() + " is a link to")
                .hasMessageContaining("outside the package");
        Files.delete(pkg.resolve("z.wasm"));
        assertThatThrownBy(() -> new PackageReader().read(pkg))
                .hasMessageContaining("module 'z.wasm' named by").hasMessageContaining("does not exist; build it first");
        assertThatThrownBy(() -> new PackageReader().read(dir.resolve("nothing")))
                .hasMessageContaining("does not exist; give a directory holding tool.toml");
    }

    @Test
    void declaredDigestMustMatch() throws IOException {
        String toml = TOML.replace("wasm = \"z.wasm\"", "wasm = \"z.wasm\"\nwasm_sha256 = \"" + "0".repeat(64) + "\"");
        assertThatThrownBy(() -> new PackageReader().readZip(zip(Map.of("tool.toml", utf8(toml), "z.wasm", utf8("m"))), "d.zip"))
                .hasMessageContaining("but tool.toml says wasm_sha256 = " + "0".repeat(64));
    }

    private String serve(byte[] body, boolean lieAboutLength) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pkg.zip", ex -> {
            ex.sendResponseHeaders(200, lieAboutLength ? 0 : body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            } catch (IOException ignored) {
                // the client hung up: expected for oversized downloads
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/pkg.zip";
    }

    @Test
    void downloadsFromAUrlWithinBounds() throws IOException {
        String url = serve(zip(Map.of("tool.toml", utf8(TOML), "z.wasm", utf8("net"))), false);
        ToolPackage p = new PackageReader().read(url);
        assertThat(new String(p.module(), StandardCharsets.UTF_8)).isEqualTo("net");
        assertThat(p.source()).isEqualTo(url);
    }

    @Test
    void oversizedDownloadIsRefused() throws IOException {
        byte[] big = new byte[2 << 20];
        new java.util.Random(1).nextBytes(big);
        String url = serve(zip(Map.of("tool.toml", utf8(TOML), "z.wasm", big)), false);
        PackageReader small = new PackageReader(new PackageReader.Limits(64L << 20, 1000, 128L << 20, 1 << 20, Duration.ofSeconds(10)));
        assertThatThrownBy(() -> small.read(url))
                .isInstanceOf(InstallException.class)
                .hasMessageMatching("download of " + java.util.regex.Pattern.quote(url) + " is \\d+ bytes; at most 1048576 are accepted");
        server.stop(0);
        String chunked = serve(zip(Map.of("tool.toml", utf8(TOML), "z.wasm", big)), true);
        assertThatThrownBy(() -> small.read(chunked))
                .hasMessage("download of " + chunked + " exceeded 1048576 bytes; refused");
    }

    @Test
    void onlyHttpsOrLoopbackHttpIsDownloaded() {
        assertThatThrownBy(() -> new PackageReader().read("http://example.com/x.zip"))
                .hasMessage("'http://example.com/x.zip': only https:// URLs are installed (plain http only from localhost, for local mirrors and tests)");
    }

    @Test
    void githubShorthandMapsToTheReleaseAsset() {
        assertThat(PackageReader.githubUrl("Hypijump31/kami-tools@v1.2.0"))
                .isEqualTo("https://github.com/Hypijump31/kami-tools/releases/download/v1.2.0/plugin.zip");
        assertThatThrownBy(() -> PackageReader.githubUrl("nope")).hasMessage("'nope' is not GitHub shorthand; expected owner/repo@tag");
    }
}
