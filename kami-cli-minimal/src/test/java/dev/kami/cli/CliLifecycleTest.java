package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole life of a tool through the real jar, on a temporary home. */
@Timeout(300)
class CliLifecycleTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path home;

    @Test
    void runInstallListExecInspectDisableEnableUninstall() throws Exception {
        String echo = KamiRunner.sample("echo").toString();

        assertThat(KamiRunner.jar(home, "run", echo, "{\"message\":\"before install\"}").expect(0).out()).contains("\"message\":\"before install\"");

        KamiRunner.Result refused = KamiRunner.jar(home, "install", echo).expect(3);
        assertThat(refused.out()).contains("dev.kami.echo 1.0.0").contains("filesystem:  none");
        assertThat(refused.err()).contains("not installed").contains("pass --yes");

        KamiRunner.Result installed = KamiRunner.jar(home, "install", echo, "--yes").expect(0);
        assertThat(installed.out()).contains("installed dev.kami.echo 1.0.0 (MCP name dev_kami_echo)");
        KamiRunner.jar(home, "install", KamiRunner.sample("hello-world").toString(), "--yes").expect(0);

        JsonNode list = JSON.readTree(KamiRunner.jar(home, "--json", "list").expect(0).out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("id").asString()).isEqualTo("dev.kami.echo");
        assertThat(list.get(0).get("enabled").asBoolean()).isTrue();

        assertThat(KamiRunner.jar(home, "exec", "dev.kami.echo", "{\"message\":\"hi\"}").expect(0).out().strip())
                .isEqualTo("{\"message\":\"hi\"}");
        Path args = home.resolve("args.json");
        Files.writeString(args, "{\"message\":\"from a file\"}", StandardCharsets.UTF_8);
        JsonNode viaFile = JSON.readTree(KamiRunner.jar(home, "exec", "dev_kami_echo", "-f", args.toString(), "--json")
                .expect(0).out());
        assertThat(viaFile.get("structuredContent").get("message").asString()).isEqualTo("from a file");
        assertThat(KamiRunner.jarWithInput(home, "{\"message\":\"from stdin\"}", "exec", "dev.kami.echo", "-f", "-").expect(0).out()).contains("from stdin");

        String inspect = KamiRunner.jar(home, "inspect", "dev.kami.echo").expect(0).out();
        assertThat(inspect).contains("ABI:", "kami-v1", "sha256 ", "signature:     unsigned", "granted:", "fs:none",
                "effective net: none", "limits:", "memory 16 MiB", "engine:", "chicory", "fuel:", "[security]");
        JsonNode inspectJson = JSON.readTree(KamiRunner.jar(home, "--json", "inspect", "dev.kami.echo").expect(0).out());
        assertThat(inspectJson.get("wasm_sha256").asString()).hasSize(64);
        assertThat(inspectJson.get("effective").get("max_execution_ms").asLong()).isEqualTo(1000);

        assertThat(KamiRunner.jar(home, "disable", "dev.kami.echo").expect(0).out()).contains("disabled dev.kami.echo");
        KamiRunner.Result disabled = KamiRunner.jar(home, "exec", "dev.kami.echo", "{\"message\":\"hi\"}").expect(3);
        assertThat(disabled.err()).contains("tool dev.kami.echo is disabled").contains("kami enable dev.kami.echo");
        assertThat(disabled.out()).isEmpty();
        KamiRunner.jar(home, "enable", "dev.kami.echo").expect(0);
        assertThat(KamiRunner.jar(home, "exec", "dev.kami.echo", "{\"message\":\"again\"}").expect(0).out()).contains("again");

        assertThat(KamiRunner.jar(home, "uninstall", "dev.kami.echo").expect(0).out()).contains("uninstalled dev.kami.echo");
        KamiRunner.Result gone = KamiRunner.jar(home, "exec", "dev.kami.echo", "{}").expect(4);
        assertThat(gone.err()).contains("no tool 'dev.kami.echo' is installed").contains("hint: ");
        assertThat(KamiRunner.jar(home, "list").expect(0).out()).doesNotContain("dev.kami.echo")
                .contains("dev.kami.hello-world");
    }

    @Test
    void launcherRunsTheJarAndSaysHowToBuildItWhenMissing(@TempDir Path elsewhere) throws Exception {
        Path script = KamiRunner.REPO.resolve("kami");
        Process p = new ProcessBuilder("bash", script.toString(), "--version").redirectErrorStream(true).start();
        assertThat(KamiRunner.drain(p.getInputStream()).get()).startsWith("kami ");
        assertThat(p.waitFor()).isZero();

        Path copy = Files.copy(script, elsewhere.resolve("kami"));
        ProcessBuilder pb = new ProcessBuilder("bash", copy.toString(), "list").redirectErrorStream(true);
        pb.environment().put("KAMI_BUILD", "0");
        Process missing = pb.start();
        assertThat(KamiRunner.drain(missing.getInputStream()).get()).contains("kami.jar is missing")
                .contains("mvn -q -DskipTests package -pl kami-cli-minimal -am");
        assertThat(missing.waitFor()).isEqualTo(5);
    }
}
