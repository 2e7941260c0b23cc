package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code kami}: as the real jar in a child JVM ({@link #jar}), or in this JVM through
 * {@link KamiCli#execute} ({@link #inProcess}) where a child process adds nothing but time.
 */
final class KamiRunner {
    static final Path REPO = Path.of(System.getProperty("kami.repo", "..")).toAbsolutePath().normalize();
    static final Path JAR = Path.of(System.getProperty("kami.jar", "target/kami.jar")).toAbsolutePath();
    static final Path SAMPLES = REPO.resolve("samples/tools");

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {
        Result expect(int expected) {
            assertThat(code).as("exit code of kami; stdout:%n%s%nstderr:%n%s", out, err).isEqualTo(expected);
            return this;
        }
    }

    private KamiRunner() {
    }

    static Path sample(String name) {
        return SAMPLES.resolve(name);
    }

    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a one-shot CLI in a test: start fast, stay small
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx256m", "-jar",
                JAR.toString()));
        return cmd;
    }

    /** Runs the jar with {@code --home home args...}, feeding stdin, bounded at 90 s. */
    static Result jarWithInput(Path home, String stdin, String... args) {
        assertThat(JAR).as("the shaded jar (mvn package builds it)").exists();
        List<String> cmd = javaCommand();
        cmd.add("--home");
        cmd.add(home.toString());
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
            pb.environment().remove("KAMI_HOME");
            Process p = pb.start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kami " + String.join(" ", args) + " did not finish in 90 s");
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("cannot run kami " + String.join(" ", args) + ": " + e, e);
        }
    }

    static Result jar(Path home, String... args) {
        return jarWithInput(home, null, args);
    }

    /** Runs {@code kami --home home args...} in this JVM. */
    static Result inProcessWithInput(Path home, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--home", home.toString()));
        all.addAll(List.of(args));
        InputStream in = new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
        int code = KamiCli.execute(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), in);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result inProcess(Path home, String... args) {
        return inProcessWithInput(home, null, args);
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
    }

    /** Copies a sample package into dir (tests that change a package never touch the committed one). */
    static Path copySample(String name, Path dir) throws IOException {
        Path from = sample(name);
        Path to = dir.resolve(name);
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (!f.toString().contains("node_modules")) {
                    Files.copy(f, t);
                }
            }
        }
        return to;
    }
}
