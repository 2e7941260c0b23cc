package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every bad argument, missing file and refused package: its one-line message, its hint and its exit
 * code. Run in this JVM (the exit-code path of the jar itself is covered by the other tests).
 */
@Timeout(300)
class CliErrorsTest {
    @TempDir
    static Path home;
    @TempDir
    static Path work;

    @BeforeAll
    static void installEcho() {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
    }

    private KamiRunner.Result kami(int code, String... args) {
        KamiRunner.Result r = KamiRunner.inProcess(home, args).expect(code);
        if (code != 0) {
            assertThat(r.err()).as("stderr of %s", String.join(" ", args)).startsWith("kami: ").contains("\nhint: ");
            assertThat(r.err().lines().count()).as("one line plus a hint, no stack trace:%n%s", r.err()).isEqualTo(2);
        }
        return r;
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(kami(2).err()).contains("no command given");
        assertThat(kami(2, "frobnicate").err()).contains("unknown command 'frobnicate'");
        assertThat(kami(2, "list", "--bogus").err()).contains("Unknown option: '--bogus'");
        assertThat(kami(2, "exec").err()).contains("Missing required parameter: '<id>'");
        assertThat(kami(2, "exec", "dev.kami.echo", "{}", "-f", "x.json").err()).contains("not both");
        assertThat(kami(2, "grant", "dev.kami.echo", "disk:all").err()).contains("'disk:all' is not a permission");
        assertThat(kami(2, "grant", "dev.kami.echo", "fs:read-only").err()).contains("fs:read-only needs a host directory");
        assertThat(kami(2, "pin", "dev.kami.echo", "one").err()).contains("cannot pin dev.kami.echo");
        assertThat(kami(2, "pin", "--unpin", "dev.kami.echo", "1.0.0").err()).contains("--unpin takes no version");
        assertThat(kami(2, "update").err()).contains("Error: Missing required argument");
        assertThat(kami(2, "serve", "--transport", "ftp").err()).contains("unknown transport 'ftp'");
        assertThat(kami(2, "serve", "--transport", "http", "--port", "99999").err()).contains("--port must be in");
        assertThat(kami(2, "serve", "--port", "8080").err()).contains("apply to --transport http only");
        assertThat(kami(2, "serve", "--client-share", "0.5").err()).contains("--client-share applies to --transport http only");
        assertThat(kami(2, "serve", "--transport", "http", "--workers", "0").err())
                .contains("--workers must be in [1, 4096], got 0");
        assertThat(kami(2, "serve", "--transport", "http", "--client-share", "1.5").err())
                .contains("--client-share must be more than 0 and at most 1, got 1.5");
        assertThat(kami(2, "exec", "dev.kami.echo", "--timeout", "0").err()).contains("--timeout must be a positive number of milliseconds");
        assertThat(kami(2, "publish", KamiRunner.sample("echo").toString(), "--source", "not a source").err())
                .contains("neither owner/repo@tag nor an https:// URL");
        assertThat(kami(2, "dev", KamiRunner.sample("echo").toString(), "--interval", "1").err())
                .contains("--interval must be at least 10 ms");
    }

    @Test
    void missingThingsExitWith4() {
        assertThat(kami(4, "inspect", "dev.kami.nope").err()).contains("no tool 'dev.kami.nope' is installed")
                .contains("hint: 'kami list'");
        assertThat(kami(4, "exec", "dev.kami.nope", "{}").err()).contains("no tool 'dev.kami.nope'");
        assertThat(kami(4, "uninstall", "dev.kami.nope").err()).contains("no tool 'dev.kami.nope'");
        assertThat(kami(4, "enable", "nope").err()).contains("no tool 'nope'");
        assertThat(kami(4, "grant", "dev.kami.nope", "net:example.com").err()).contains("no tool 'dev.kami.nope'");
        assertThat(kami(4, "update", "dev.kami.nope").err()).contains("no tool 'dev.kami.nope'");
        assertThat(kami(4, "verify", "dev.kami.nope").err()).contains("no tool 'dev.kami.nope'");
        Path missing = work.resolve("missing");
        assertThat(kami(4, "run", missing.toString()).err()).contains(missing + " does not exist");
        assertThat(kami(4, "install", missing.toString()).err()).contains("package " + missing + " does not exist");
        assertThat(kami(4, "validate", missing.toString()).err()).contains("does not exist");
        assertThat(kami(4, "sign", missing.toString()).err()).contains("package directory " + missing);
        assertThat(kami(4, "sign", KamiRunner.sample("echo").toString(), "--keys", work.toString()).err())
                .contains("no secret key at").contains("kami keygen");
        assertThat(kami(4, "exec", "dev.kami.echo", "-f", missing.toString()).err()).contains("arguments file");
        assertThat(kami(4, "search", "x", "--index", missing.toString()).err()).contains("registry index");
        assertThat(kami(4, "dev", missing.toString()).err()).contains("package directory");
    }

    @Test
    void refusedPackagesExitWith3() throws Exception {
        Path noManifest = Files.createDirectories(work.resolve("empty"));
        assertThat(kami(3, "install", "--yes", noManifest.toString()).err()).contains("no tool.toml in");

        Path badVersion = KamiRunner.copySample("echo", Files.createDirectories(work.resolve("v")));
        Files.writeString(badVersion.resolve("tool.toml"), Files.readString(badVersion.resolve("tool.toml"))
                .replace("version = \"1.0.0\"", "version = \"one\""));
        assertThat(kami(3, "validate", badVersion.toString()).err()).contains("tool.toml").contains("version");

        Path typo = KamiRunner.copySample("echo", Files.createDirectories(work.resolve("t")));
        Files.writeString(typo.resolve("tool.toml"), Files.readString(typo.resolve("tool.toml"))
                .replace("max_memory_mb", "max_memroy_mb"));
        assertThat(kami(3, "install", "--yes", typo.toString()).err()).contains("max_memroy_mb").contains("max_memory_mb");

        Path noModule = KamiRunner.copySample("echo", Files.createDirectories(work.resolve("m")));
        Files.delete(noModule.resolve("echo.wasm"));
        assertThat(kami(3, "install", "--yes", noModule.toString()).err()).contains("does not exist; build it first");

        Path garbage = KamiRunner.copySample("echo", Files.createDirectories(work.resolve("g")));
        Files.writeString(garbage.resolve("echo.wasm"), "not webassembly");
        assertThat(kami(3, "validate", garbage.toString()).err()).contains("is not WebAssembly");

        assertThat(kami(3, "install", "--yes", KamiRunner.sample("echo").toString()).err())
                .contains("already installed").contains("--force");
        Path newer = KamiRunner.copySample("echo", Files.createDirectories(work.resolve("n")));
        Files.writeString(newer.resolve("tool.toml"), Files.readString(newer.resolve("tool.toml"))
                .replace("version = \"1.0.0\"", "version = \"2.0.0\""));
        assertThat(kami(3, "install", newer.toString()).err()).contains("is installed at version 1.0.0")
                .contains("hint: 'kami update dev.kami.echo " + newer + "'");
        assertThat(kami(3, "install", "--yes", "http://example.com/tool.zip").err()).contains("only https://");
        kami(0, "disable", "dev.kami.echo");
        assertThat(kami(3, "exec", "dev.kami.echo", "{}").err()).contains("is disabled");
        kami(0, "enable", "dev.kami.echo");

        Files.writeString(home.resolve("config.toml"), "[policy]\nmax_memory_mb = 8\n");
        try {
            assertThat(kami(3, "validate", KamiRunner.sample("echo").toString()).err()).contains("max_memory_mb");
        } finally {
            Files.delete(home.resolve("config.toml"));
        }
    }

    @Test
    void toolErrorsExitWith1AndConfigErrorsWith2() throws Exception {
        KamiRunner.Result bad = KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{not json").expect(1);
        assertThat(bad.err()).contains("kami: tool error (invalid_arguments)").contains("not valid JSON");
        assertThat(bad.out()).isEmpty();

        Files.writeString(home.resolve("config.toml"), "[policy]\nmax_memroy_mb = 8\n");
        try {
            assertThat(kami(2, "list").err()).contains("config.toml").contains("unknown key 'max_memroy_mb'");
        } finally {
            Files.delete(home.resolve("config.toml"));
        }
    }

    @Test
    void jsonModePrintsErrorsAsJsonOnStdout() throws Exception {
        KamiRunner.Result r = KamiRunner.inProcess(home, "--json", "inspect", "dev.kami.nope").expect(4);
        JsonNode e = JsonMapper.builder().build().readTree(r.out()).get("error");
        assertThat(e.get("code").asInt()).isEqualTo(4);
        assertThat(e.get("message").asString()).contains("no tool 'dev.kami.nope'");
        assertThat(e.get("hint").asString()).isNotBlank();
        assertThat(r.err()).isEmpty();
    }
}
