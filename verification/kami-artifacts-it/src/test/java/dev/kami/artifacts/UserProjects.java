package dev.kami.artifacts;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a user's project with a real {@code mvn} against the packaged KAMI artifacts, as if
 * they had been installed: a local repository of its own holds KAMI's artifacts (laid out as
 * {@code mvn install} does), and every third-party artifact comes from this build's local
 * repository, read as a {@code file:} repository. Nothing is written to that repository and
 * nothing is downloaded, so the build is offline and leaves no KAMI snapshot behind.
 */
final class UserProjects {
    private final Path work;
    private final Path repository;
    private final Path settings;

    private UserProjects(Path work) throws IOException {
        this.work = work;
        this.repository = work.resolve("repository");
        this.settings = work.resolve("settings.xml");
        Reactor.installInto(repository);
        Path thirdParty = Path.of(System.getProperty("kami.thirdPartyRepo",
                System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath();
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>third-party</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(thirdParty.toUri()));
    }

    /** A local repository with KAMI's packaged artifacts, under {@code work}. */
    static UserProjects in(Path work) throws IOException {
        return new UserProjects(work);
    }

    /**
     * Copies the project template {@code projects/<name>} from the test resources into a new
     * folder, replacing each {@code @KEY@} with its value in every file.
     */
    Path project(String name, String folder, Map<String, String> values) throws IOException {
        Path from = resource("projects/" + name);
        Path to = work.resolve(folder);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                Files.createDirectories(target.getParent());
                String text = Files.readString(f);
                for (Map.Entry<String, String> e : values.entrySet()) {
                    text = text.replace("@" + e.getKey() + "@", e.getValue());
                }
                Files.writeString(target, text);
            }
        }
        return to;
    }

    /** Copies a sample tool package ({@code samples/tools/<tool>}) into the project's test resources. */
    static void addTool(Path project, String tool) throws IOException {
        Path from = Reactor.ROOT.resolve("samples/tools").resolve(tool);
        Path to = project.resolve("src/test/resources/tools").resolve(tool);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".wasm") || p.toString().endsWith(".toml")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The outcome of one {@code mvn} run. */
    record Run(int exitCode, String output) {
    }

    /** Runs {@code mvn -B <args>} in the project, with this local repository and settings. */
    Run mvn(Path project, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repository, "-Dstyle.color=never"));
        command.addAll(List.of(args));
        Path log = project.resolve("mvn.log");
        Process p = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("mvn " + String.join(" ", args) + " in " + project + " did not finish in 5 minutes:\n"
                    + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static Path resource(String name) {
        URL url = UserProjects.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("no test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
