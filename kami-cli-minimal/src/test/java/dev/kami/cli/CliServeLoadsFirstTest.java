package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'kami serve --transport http' compiles every installed, enabled tool before it opens its port,
 * so /health/ready is never answered before (docs/CLI.md), and the first call compiles nothing.
 */
@Timeout(180)
class CliServeLoadsFirstTest {
    @TempDir
    Path home;

    @Test
    void httpOpensItsPortOnlyAfterEveryToolIsCompiled() throws Exception {
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
        KamiRunner.inProcess(home, "install", "--yes", KamiRunner.sample("hello-world").toString()).expect(0);
        KamiRunner.inProcess(home, "disable", "dev.kami.hello-world").expect(0);
        List<String> cmd = KamiRunner.javaCommand();
        cmd.addAll(List.of("--home", home.toString(), "--verbose", "serve", "--transport", "http", "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("KAMI_HOME");
        Process p = pb.start();
        List<String> before = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String address = null;
            String line;
            while (address == null && (line = err.readLine()) != null) {
                Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)/mcp").matcher(line);
                if (m.find()) {
                    address = m.group(1);
                    assertThat(line).contains("serving 1 tools");
                } else {
                    before.add(line);
                }
            }
            assertThat(address).as("the server printed its address; stderr so far:%n%s", before).isNotNull();
            String log = String.join("\n", before);
            assertThat(log).contains("compiled dev.kami.echo").doesNotContain("compiled dev.kami.hello-world")
                    .contains("loaded 1 enabled tools; 0 not loadable");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(address + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
