package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** dev --watch, search, publish, and install/update from a URL. */
@Timeout(300)
class CliAuthorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void devReinstallsWhenThePackageChanges() throws Exception {
        Path pkg = KamiRunner.copySample("echo", work);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] code = {-1};
        Thread dev = new Thread(() -> code[0] = KamiCli.execute(new String[] {"--home", home.toString(), "dev",
            "--watch", pkg.toString(), "--interval", "100", "--max-rounds", "3000"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0])), "kami-dev-under-test");
        dev.start();
        await(err, "[dev] watching");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[dev] installed dev.kami.echo 1.0.0");
        Files.writeString(pkg.resolve("tool.toml"), Files.readString(pkg.resolve("tool.toml"))
                .replace("version = \"1.0.0\"", "version = \"1.0.10\""));
        await(out, "[dev] installed dev.kami.echo 1.0.10");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[dev] change detected");
        dev.interrupt(); // as Ctrl-C would: dev stops watching
        dev.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(dev.isAlive()).isFalse();
        assertThat(code[0]).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[dev] stopped");
        assertThat(KamiRunner.inProcess(home, "list").expect(0).out()).contains("1.0.10");
    }

    private static void await(ByteArrayOutputStream s, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!s.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no '" + text + "' in:\n" + s.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void publishPrintsAnEntryThatSearchFinds() throws Exception {
        KamiRunner.Result pub = KamiRunner.inProcess(home, "publish", KamiRunner.sample("echo").toString(), "--source",
                "kami-tools/echo@v1.0.0").expect(0);
        JsonNode entry = JSON.readTree(pub.out());
        assertThat(entry.get("id").asString()).isEqualTo("dev.kami.echo");
        assertThat(entry.get("source").asString()).isEqualTo("kami-tools/echo@v1.0.0");
        assertThat(entry.get("wasm_sha256").asString()).hasSize(64);
        assertThat(pub.err()).contains("unsigned");

        Path index = work.resolve("index.json");
        Files.writeString(index, "{\"tools\":[" + pub.out() + ",{\"id\":\"dev.other.tool\",\"name\":\"other\","
                + "\"version\":\"2.0.0\",\"description\":\"Something else\",\"source\":\"o/t@v2\"}]}");
        KamiRunner.Result found = KamiRunner.inProcess(home, "search", "echoes", "--index", index.toString()).expect(0);
        assertThat(found.out()).contains("dev.kami.echo").contains("kami install kami-tools/echo@v1.0.0")
                .doesNotContain("dev.other.tool");
        JsonNode all = JSON.readTree(KamiRunner.inProcess(home, "--json", "search", "--index", index.toString())
                .expect(0).out());
        assertThat(all).hasSize(2);
        assertThat(KamiRunner.inProcess(home, "search", "nothing-like-this", "--index", index.toString()).expect(0)
                .out()).contains("matches 'nothing-like-this'");
        Files.writeString(index, "{ not json");
        assertThat(KamiRunner.inProcess(home, "search", "x", "--index", index.toString()).expect(5).err())
                .contains("is not JSON");
    }

    @Test
    void installsFromAUrlAndUpdatesFromIt() throws Exception {
        Map<String, byte[]> served = new ConcurrentHashMap<>();
        served.put("/echo.zip", zip("1.0.0"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/echo.zip";
            assertThat(KamiRunner.inProcess(home, "install", "--yes", url).expect(0).out())
                    .contains("from " + url).contains("installed dev.kami.echo 1.0.0");
            assertThat(KamiRunner.inProcess(home, "--json", "inspect", "dev.kami.echo").expect(0).out())
                    .as("the registry records the URL, not the downloaded file").contains(url);
            assertThat(KamiRunner.inProcess(home, "update", "dev.kami.echo").expect(0).out())
                    .contains("dev.kami.echo: up to date at 1.0.0");
            served.put("/echo.zip", zip("1.1.0"));
            assertThat(KamiRunner.inProcess(home, "update", "--all").expect(0).out())
                    .contains("dev.kami.echo: 1.0.0 -> 1.1.0");
            KamiRunner.inProcess(home, "pin", "dev.kami.echo").expect(0);
            served.put("/echo.zip", zip("1.2.0"));
            assertThat(KamiRunner.inProcess(home, "update", "dev.kami.echo").expect(3).err())
                    .contains("pinned at version 1.1.0");
            KamiRunner.inProcess(home, "pin", "--unpin", "dev.kami.echo").expect(0);
            assertThat(KamiRunner.inProcess(home, "update", "dev.kami.echo").expect(0).out()).contains("1.1.0 -> 1.2.0");
            assertThat(KamiRunner.inProcess(home, "install", "--yes", url.replace("echo.zip", "gone.zip")).expect(4)
                    .err()).contains("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    private static byte[] zip(String version) throws Exception {
        Path echo = KamiRunner.sample("echo");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("tool.toml"));
            z.write(Files.readString(echo.resolve("tool.toml")).replace("version = \"1.0.0\"", "version = \"" + version
                    + "\"").getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("echo.wasm"));
            z.write(Files.readAllBytes(echo.resolve("echo.wasm")));
        }
        return bytes.toByteArray();
    }
}
