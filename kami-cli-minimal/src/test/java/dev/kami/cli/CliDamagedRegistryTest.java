package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged registry row under the CLI (issue 18, finding 3): list, status, exec, serve,
 * install --force and uninstall keep working for the other tools, and a running 'kami serve'
 * keeps answering tools/list.
 */
@Timeout(300)
class CliDamagedRegistryTest {
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    @TempDir
    Path home;

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("registry.db"));
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(statement)).as(statement).isEqualTo(1);
        }
    }

    private void installBoth() {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("hello-world").toString()).expect(0);
    }

    @Test
    void anUnparseableManifestRowIsListedAsBrokenAndEverythingElseKeepsWorking() throws Exception {
        installBoth();
        sql("UPDATE kami_tools SET manifest_toml = '[tool' WHERE id = 'dev.kami.hello-world'");

        KamiRunner.Result list = KamiRunner.inProcess(home, "list").expect(0);
        assertThat(list.out()).contains("dev.kami.echo").contains("enabled")
                .containsPattern("dev\\.kami\\.hello-world +1\\.0\\.0 +BROKEN +- +its stored manifest no longer parses");
        assertThat(KamiRunner.inProcess(home, "--json", "list").expect(0).out())
                .contains("\"broken\" : true").contains("\"reason\" : \"its stored manifest no longer parses");
        assertThat(KamiRunner.inProcess(home, "status").expect(0).out())
                .contains("2 installed, 1 enabled, 0 disabled, 0 signed, 1 BROKEN (quarantined; see 'kami list')");
        assertThat(KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{\"message\":\"fine\"}").expect(0).out())
                .contains("fine");
        KamiRunner.Result refused = KamiRunner.inProcess(home, "exec", "dev.kami.hello-world", "{\"name\":\"x\"}");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("tool dev.kami.hello-world is quarantined: its stored manifest no longer"
                + " parses").doesNotContain("java.", "Exception");

        String requests = String.join("\n", INIT, INITIALIZED,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", "");
        KamiRunner.Result serve = KamiRunner.jarWithInput(home, requests, "serve").expect(0);
        assertThat(serve.out()).contains("\"id\":2").contains("dev_kami_echo").doesNotContain("dev_kami_hello-world")
                .doesNotContain("-32603");
        assertThat(serve.err()).contains("kami: not serving dev.kami.hello-world: its stored manifest no longer parses")
                .contains("kami: serving 1 tools over MCP stdio");

        KamiRunner.inProcess(home, "install", "--yes", "--force", KamiRunner.sample("hello-world").toString())
                .expect(0);
        assertThat(KamiRunner.inProcess(home, "list").expect(0).out()).doesNotContain("BROKEN");
        assertThat(KamiRunner.inProcess(home, "exec", "dev.kami.hello-world", "{\"name\":\"again\"}").expect(0).out())
                .contains("again");
    }

    @Test
    void aRowWithAnUnreadableVersionCanBeUninstalledAndReinstalled() throws Exception {
        installBoth();
        sql("UPDATE kami_tools SET version = 'one' WHERE id = 'dev.kami.hello-world'");
        assertThat(KamiRunner.inProcess(home, "list").expect(0).out())
                .contains("dev.kami.echo").containsPattern("dev\\.kami\\.hello-world +one +BROKEN");
        KamiRunner.Result again = KamiRunner.inProcess(home, "install", "--yes",
                KamiRunner.sample("hello-world").toString());
        assertThat(again.code()).isNotZero();
        assertThat(again.err()).contains("dev.kami.hello-world is installed but quarantined");
        assertThat(KamiRunner.inProcess(home, "uninstall", "dev.kami.hello-world").expect(0).out())
                .contains("uninstalled dev.kami.hello-world");
        assertThat(KamiRunner.inProcess(home, "list").expect(0).out()).doesNotContain("hello-world");
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("hello-world").toString()).expect(0);
        assertThat(KamiRunner.inProcess(home, "status").expect(0).out()).contains("2 installed, 2 enabled");
    }

    @Test
    void aRunningServeKeepsAnsweringToolsListWhenARowIsDamaged() throws Exception {
        installBoth();
        List<String> cmd = new java.util.ArrayList<>(KamiRunner.javaCommand());
        cmd.addAll(List.of("--home", home.toString(), "--verbose", "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().remove("KAMI_HOME");
        Process p = pb.start();
        CompletableFuture<String> err = KamiRunner.drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            send(in, INIT);
            assertThat(read(out)).contains("\"id\":1");
            send(in, INITIALIZED);
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            assertThat(read(out)).contains("\"id\":2").contains("dev_kami_echo").contains("dev_kami_hello-world");

            // the finding's case: one manifest_toml that no longer parses, under a running server
            sql("UPDATE kami_tools SET manifest_toml = '[tool' WHERE id = 'dev.kami.hello-world'");
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
            assertThat(read(out)).contains("\"id\":3").contains("dev_kami_echo").doesNotContain("-32603")
                    .doesNotContain("\"error\"");
            // and a column no registry row may hold
            sql("UPDATE kami_tools SET version = 'one' WHERE id = 'dev.kami.hello-world'");
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}");
            assertThat(read(out)).contains("\"id\":5").contains("dev_kami_echo").doesNotContain("-32603")
                    .doesNotContain("\"error\"");
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"dev_kami_echo\","
                    + "\"arguments\":{\"message\":\"still served\"}}}");
            assertThat(read(out)).contains("\"id\":4").contains("still served").doesNotContain("\"isError\":true");
        } finally {
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        // both tools were compiled before the server read its first request
        String log = err.get(30, TimeUnit.SECONDS);
        int ready = log.indexOf("kami: serving 2 tools over MCP stdio");
        assertThat(ready).as(log).isPositive();
        assertThat(log.substring(0, ready)).contains("compiled dev.kami.echo").contains("compiled dev.kami.hello-world");
    }

    private static void send(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String read(BufferedReader out) throws Exception {
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return "<" + e + ">";
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(line).as("a reply from kami serve").isNotNull();
        return line;
    }
}
