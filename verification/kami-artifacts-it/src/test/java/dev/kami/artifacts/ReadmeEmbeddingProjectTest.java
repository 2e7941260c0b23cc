package dev.kami.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh Maven project made of what README.md says and nothing else: its {@code pom.xml}
 * dependencies (the KAMI BOM and the modules) and its {@code Embedding.java}, both copied out of
 * the README, built with a real {@code mvn} against the packaged artifacts and run twice with
 * the echo sample: it answers, serves MCP until stopped, and installs again on its second run.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReadmeEmbeddingProjectTest {

    @TempDir
    Path work;

    @Test
    void theReadmeProgramBuildsInAFreshProjectAndRunsTwice() throws Exception {
        List<String> readme = Files.readAllLines(Reactor.ROOT.resolve("README.md"));
        String dependencies = block(readme, "<!-- pom: embedding -->", "```xml");
        String program = block(readme,
                "<!-- snippet: verification/kami-docs-snippets/src/main/java/dev/kami/docs/Embedding.java#program -->",
                "```java");

        UserProjects projects = UserProjects.in(work);
        Path project = projects.project("embedding-user", "embedding-user", Map.of(
                "DEPENDENCIES", dependencies,
                "RESOURCES_PLUGIN", System.getProperty("it.resourcesPlugin"),
                "COMPILER_PLUGIN", System.getProperty("it.compilerPlugin")));
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("src/main/java/Embedding.java"), program);

        UserProjects.Run build = projects.mvn(project, "compile",
                "org.apache.maven.plugins:maven-dependency-plugin:" + System.getProperty("it.dependencyPlugin")
                        + ":build-classpath", "-Dmdep.outputFile=classpath.txt");
        assertThat(build.exitCode()).as("mvn compile of the README's project:%n%s", build.output()).isZero();
        String classpath = project.resolve("target/classes") + java.io.File.pathSeparator
                + Files.readString(project.resolve("classpath.txt")).strip();

        Path home = work.resolve("kami-home");
        Path echo = Reactor.ROOT.resolve("samples/tools/echo");
        for (int run = 1; run <= 2; run++) {
            ProcessBuilder pb = new ProcessBuilder(javaBin(), "-cp", classpath, "Embedding", echo.toString(), "0")
                    .directory(work.toFile())
                    .redirectError(work.resolve("stderr-" + run + ".txt").toFile());
            pb.environment().put("KAMI_HOME", home.toString()); // the SQLite registry, kept between the runs
            Process p = pb.start();
            try {
                BlockingQueue<String> lines = lines(p);
                String answer = lines.poll(120, TimeUnit.SECONDS);
                assertThat(answer).as("run %d: the tool's answer (stderr: %s)", run, stderr(run)).isEqualTo("{\"message\":\"hi\"}");
                String serving = lines.poll(60, TimeUnit.SECONDS);
                assertThat(serving).as("run %d: the serving line", run).startsWith("MCP at http://127.0.0.1:")
                        .endsWith("/mcp; Ctrl+C stops");
                String mcp = serving.substring("MCP at ".length(), serving.indexOf(';'));
                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(mcp.replaceFirst("/mcp$", "/health")))
                                .timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as("GET /health while it serves").isEqualTo(200);
                assertThat(p.isAlive()).as("run %d still serving", run).isTrue();
            } finally {
                p.destroy(); // SIGTERM, as Ctrl+C: the shutdown hook closes KAMI
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("run %d stopped after SIGTERM", run).isTrue();
            }
        }
        assertThat(home.resolve("registry.db")).as("the registry of both runs").isRegularFile();
        assertThat(stderr(2)).doesNotContain("ToolConflictException").doesNotContain("SLF4J: No SLF4J providers");
    }

    private String stderr(int run) throws java.io.IOException {
        Path f = work.resolve("stderr-" + run + ".txt");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The lines of the child's stdout, as they come. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    q.add(l);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "embedding-stdout");
        t.setDaemon(true);
        t.start();
        return q;
    }

    /** The body of the fenced block right after the line {@code marker}. */
    static String block(List<String> text, String marker, String fence) {
        int at = text.indexOf(marker);
        assertThat(at).as("README.md has the line %s", marker).isNotNegative();
        assertThat(text.get(at + 1)).as("the line after %s", marker).isEqualTo(fence);
        List<String> body = new ArrayList<>();
        for (int i = at + 2; !text.get(i).equals("```"); i++) {
            body.add(text.get(i));
        }
        return String.join("\n", body) + "\n";
    }
}
