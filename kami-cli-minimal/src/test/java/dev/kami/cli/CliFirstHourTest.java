package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a newcomer meets in the first hour (issue 16): errors that name their cause, suggestions
 * for typos, a bare module validated as {@code run} takes it, the AssemblyScript abort fix, one
 * spelling of the error kind, real ids in hints, and {@code kami build}.
 */
@Timeout(600)
class CliFirstHourTest {
    @TempDir
    static Path home;
    @TempDir
    Path work;

    @BeforeAll
    static void installEcho() {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aFailedDownloadNamesWhatFailedAndWhyNeverNull() throws IOException {
        String url = "http://127.0.0.1:" + closedPort() + "/x.zip";
        KamiRunner.Result r = KamiRunner.inProcess(home, "install", "--yes", url).expect(5);
        assertThat(r.err()).startsWith("kami: download of " + url + " failed: ConnectException: the connection was"
                + " refused or the host cannot be reached").doesNotContain("null").doesNotContain("java.");
    }

    @Test
    void anIndexThatCannotBeDownloadedNamesWhyNeverNull() throws IOException {
        String url = "http://127.0.0.1:" + closedPort() + "/index.json";
        KamiRunner.Result r = KamiRunner.inProcess(home, "search", "echo", "--index", url).expect(5);
        assertThat(r.err()).startsWith("kami: cannot download registry index " + url + ": ConnectException: the"
                + " connection was refused or the host cannot be reached").doesNotContain("null");
    }

    @Test
    void anUnknownToolIdSuggestsTheClosestInstalledOne() {
        KamiRunner.Result r = KamiRunner.inProcess(home, "exec", "dev.kami.ecoh", "{}").expect(4);
        assertThat(r.err()).startsWith("kami: no tool 'dev.kami.ecoh' is installed; did you mean dev.kami.echo?");
        assertThat(KamiRunner.inProcess(home, "inspect", "dev_kami_ehco").expect(4).err())
                .contains("did you mean dev_kami_echo?");
    }

    @Test
    void aCommandTypoSuggestsTheNearestCommandByEditDistance() {
        KamiRunner.Result r = KamiRunner.inProcess(home, "lsit").expect(2);
        assertThat(r.err()).contains("kami: unknown command 'lsit'")
                .contains("hint: did you mean list? 'kami --help' lists the commands").doesNotContain("init");
        assertThat(KamiRunner.inProcess(home, "instal").expect(2).err()).contains("did you mean install?");
        assertThat(KamiRunner.inProcess(home, "frobnicate").expect(2).err()).doesNotContain("did you mean");
    }

    @Test
    void validateAcceptsABareModuleThatRunAccepts() {
        Path wasm = KamiRunner.sample("echo").resolve("echo.wasm");
        KamiRunner.inProcess(home, "run", wasm.toString(), "{\"message\":\"hi\"}").expect(0);
        KamiRunner.Result r = KamiRunner.inProcess(home, "validate", wasm.toString()).expect(0);
        assertThat(r.out()).startsWith("ok: " + wasm + " is a bare module (kami-v1, " + fileSize(wasm)
                + " bytes) that 'kami run' accepts");
        JsonNode j = json(KamiRunner.inProcess(home, "--json", "validate", wasm.toString()).expect(0).out());
        assertThat(j.path("valid").asBoolean()).isTrue();
        assertThat(j.path("abi").asString()).isEqualTo("kami-v1");
        assertThat(j.path("wasm_sha256").asString()).isEqualTo(sha256(wasm));
    }

    @Test
    void theAssemblyScriptAbortImportSaysWhyAndGivesTheFix() throws Exception {
        Path wasm = Path.of(getClass().getResource("/as-abort/as-abort.wasm").toURI());
        for (String command : List.of("run", "validate")) {
            KamiRunner.Result r = KamiRunner.inProcess(home, command, wasm.toString()).expect(3);
            assertThat(r.err()).as(command).contains("imports what nobody provides: env.abort")
                    .contains("env.abort is AssemblyScript's default abort handler: build with asc's --use"
                            + " abort=assembly/kami/kamiAbort")
                    .contains("hint: rebuild with asc's --use abort=assembly/kami/kamiAbort")
                    .doesNotContain("'kami validate' says why");
        }
    }

    @Test
    void theErrorKindIsSpelledTheSameInTextAndJsonAndTheHintNamesTheTool() {
        KamiRunner.Result text = KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{}").expect(1);
        assertThat(text.err()).startsWith("kami: tool error (invalid_arguments): ")
                .contains("hint: 'kami inspect dev.kami.echo' shows the tool's input schema")
                .doesNotContain("<id>");
        JsonNode j = json(KamiRunner.inProcess(home, "--json", "exec", "dev.kami.echo", "{}").expect(1).out());
        assertThat(j.path("errorKind").asString()).isEqualTo("invalid_arguments");
        KamiRunner.Result run = KamiRunner.inProcess(home, "run", KamiRunner.sample("echo").toString(), "{}").expect(1);
        assertThat(KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{}", "-f", "a.json").expect(2).err())
                .contains("hint: kami exec dev.kami.echo '{\"k\":\"v\"}' or kami exec dev.kami.echo -f args.json")
                .doesNotContain("<id>");
        assertThat(run.err()).startsWith("kami: tool error (invalid_arguments): ")
                .contains("hint: the [mcp] arguments (or input_schema) of "
                        + KamiRunner.sample("echo").resolve("tool.toml") + " say what it takes");
    }

    @Test
    void buildRunsTheWatTemplatesBuildShChecksTheModuleAndPackagesIt() throws Exception {
        assumeTrue(onPath("wat2wasm"), "wat2wasm (Debian wabt) is not installed");
        KamiRunner.inProcess(home, "init", "greeter", "--lang", "wat", "--dir", work.toString()).expect(0);
        Path pkg = work.resolve("greeter");
        KamiRunner.Result r = KamiRunner.inProcess(home, "build", pkg.toString()).expect(0);
        Path wasm = pkg.resolve("greeter.wasm");
        assertThat(r.err()).contains("[build] com.example.greeter: build.sh").contains("built " + wasm);
        assertThat(r.out()).startsWith("built com.example.greeter 0.1.0 (kami-v1, unsigned)")
                .contains("  module: " + wasm).contains("  size:   " + fileSize(wasm) + " bytes")
                .contains("  sha256: " + sha256(wasm));

        KamiRunner.Result packaged = KamiRunner.inProcess(home, "--json", "build", pkg.toString(), "--package")
                .expect(0);
        JsonNode j = json(packaged.out());
        Path zip = pkg.resolve("plugin.zip");
        assertThat(j.path("package").asString()).isEqualTo(zip.toString());
        assertThat(j.path("wasm_sha256").asString()).isEqualTo(sha256(wasm));
        try (ZipFile z = new ZipFile(zip.toFile())) {
            assertThat(z.stream().map(e -> e.getName()).toList()).containsExactly("tool.toml", "greeter.wasm");
        }
        byte[] first = Files.readAllBytes(zip);
        KamiRunner.inProcess(home, "build", pkg.toString(), "--package").expect(0);
        assertThat(Files.readAllBytes(zip)).as("the same package gives the same zip").isEqualTo(first);

        Path otherHome = work.resolve("home2");
        KamiRunner.inProcess(otherHome, "install", "--yes", zip.toString()).expect(0);
        assertThat(KamiRunner.inProcess(otherHome, "exec", "com.example.greeter", "{\"name\":\"Ada\"}").expect(0)
                .out()).contains("Hello, Ada!");
        assertThat(KamiRunner.inProcess(otherHome, "publish", zip.toString(), "--source", "me/greeter@v0.1.0")
                .expect(0).out()).contains("\"wasm_sha256\" : \"" + sha256(wasm) + "\"");
    }

    @Test
    void buildRunsTheBuildCommandOfToolToml() throws Exception {
        assumeTrue(onPath("wat2wasm"), "wat2wasm (Debian wabt) is not installed");
        KamiRunner.inProcess(home, "init", "cmd", "--lang", "wat", "--dir", work.toString()).expect(0);
        Path pkg = work.resolve("cmd");
        Files.delete(pkg.resolve("build.sh"));
        Files.writeString(pkg.resolve("tool.toml"), "\n[build]\ncommand = \"wat2wasm tool.wat -o cmd.wasm && echo"
                + " made-by-build-command\"\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Path zip = work.resolve("out/cmd-0.1.0.zip");
        KamiRunner.Result r = KamiRunner.inProcess(home, "build", pkg.toString(), "--package", zip.toString())
                .expect(0);
        assertThat(r.err()).contains("[build] com.example.cmd: [build] command 'wat2wasm tool.wat -o cmd.wasm")
                .contains("made-by-build-command");
        assertThat(r.out()).contains("  sha256: " + sha256(pkg.resolve("cmd.wasm"))).contains("  package: " + zip);
        assertThat(zip).isRegularFile();
    }

    @Test
    void aFailingBuildOrAMissingModuleIsRefusedWithWhatToDo() throws Exception {
        Path pkg = KamiRunner.copySample("echo", work);
        Files.writeString(pkg.resolve("tool.toml"), "\n[build]\ncommand = \"echo compiling; exit 7\"\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        KamiRunner.Result r = KamiRunner.inProcess(home, "build", pkg.toString()).expect(3);
        assertThat(r.err()).contains("compiling").contains("kami: the build of dev.kami.echo failed: [build] command"
                + " 'echo compiling; exit 7' exited with code 7");

        Path noBuild = KamiRunner.copySample("hello-world", work);
        Files.delete(noBuild.resolve(tomlWasm(noBuild)));
        KamiRunner.Result missing = KamiRunner.inProcess(home, "build", noBuild.toString()).expect(3);
        assertThat(missing.err()).contains("no [build] command in tool.toml and no build.sh")
                .contains("kami: there is no module " + noBuild.resolve(tomlWasm(noBuild)) + " after the build");
        assertThat(KamiRunner.inProcess(home, "build", work.resolve("nope").toString()).expect(4).err())
                .contains("package directory");
    }

    @Test
    void devBuildsWithTheSameBuildCommandAsBuild() throws Exception {
        Path pkg = KamiRunner.copySample("echo", work);
        Files.writeString(pkg.resolve("tool.toml"), "\n[build]\ncommand = \"echo from-build-command > built.txt\"\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        KamiRunner.Result r = KamiRunner.inProcess(work.resolve("devhome"), "dev", pkg.toString()).expect(0);
        assertThat(r.err()).contains("[dev] building: [build] command 'echo from-build-command > built.txt'");
        assertThat(Files.readString(pkg.resolve("built.txt")).strip()).isEqualTo("from-build-command");
        assertThat(r.out()).contains("[dev] installed dev.kami.echo 1.0.0");
    }

    private static String tomlWasm(Path pkg) throws IOException {
        return Files.readAllLines(pkg.resolve("tool.toml")).stream().filter(l -> l.startsWith("wasm"))
                .map(l -> l.replaceAll(".*\"(.*)\".*", "$1")).findFirst().orElseThrow();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(String text) {
        return JsonMapper.builder().build().readTree(text);
    }
}
