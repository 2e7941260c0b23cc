package dev.kami.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kami.Kami;
import dev.kami.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kami init} templates as the jar carries them, instantiated as {@code kami init}
 * does ({@code {{name}}}, {@code {{id}}}), built by their own {@code build.sh} and run.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TemplatesTest {

    @TempDir
    Path work;

    @Test
    void theWatTemplateGreetsName() throws Exception {
        assumeTrue(onPath("wat2wasm"), "wat2wasm (wabt) is not installed: the WAT template build is skipped");
        Path dir = instantiate("wat", "greet-wat");
        Run build = sh(dir, Map.of(), "build.sh");
        assertThat(build.exit()).as("build.sh: %s", build.err()).isZero();

        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(dir);
            assertThat(kami.call("dev.test.greet-wat", "{\"name\":\"Ada\"}").structuredJson())
                    .isEqualTo("{\"greeting\":\"Hello, Ada!\"}");
            // white space around the colon, other keys first, escapes kept as written
            ToolResult r = kami.call("dev.test.greet-wat", "{\"x\":1, \"name\" :  \"A \\\"da\\\" \\u00e9\"}");
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.structuredJson()).isEqualTo("{\"greeting\":\"Hello, A \\\"da\\\" é!\"}");
        }
    }

    @Test
    void theRustBuildScriptTakesRustcFromRUSTCFirst() throws Exception {
        Path dir = instantiate("rust", "greet-rs");
        Path rustc = fakeRustc("wasm-capable", true);
        Run build = sh(dir, Map.of("RUSTC", rustc.toString()), "build.sh");
        assertThat(build.exit()).as("build.sh: %s", build.err()).isZero();
        assertThat(build.out()).contains("(with " + rustc + ")");
        assertThat(Files.readString(dir.resolve("greet-rs.wasm"))).isEqualTo("built by the fake rustc");
    }

    @Test
    void theRustBuildScriptSaysWhenRUSTCHasNoWasmStandardLibrary() throws Exception {
        Path dir = instantiate("rust", "greet-rs");
        Path rustc = fakeRustc("host-only", false);
        Run build = sh(dir, Map.of("RUSTC", rustc.toString()), "build.sh");
        assertThat(build.exit()).isEqualTo(1);
        assertThat(build.err()).contains("RUSTC=" + rustc + " has no standard library for wasm32-unknown-unknown")
                .contains("rustup target add wasm32-unknown-unknown").contains("unset RUSTC");
        assertThat(dir.resolve("greet-rs.wasm")).doesNotExist();

        Run missing = sh(dir, Map.of("RUSTC", work.resolve("no-such-rustc").toString()), "build.sh");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("RUSTC=" + work.resolve("no-such-rustc") + " is not a command");
    }

    @Test
    void withoutRUSTCTheRustBuildScriptTakesAWasmCapableRustcFromThePath() throws Exception {
        assumeTrue(!Files.isExecutable(Path.of("/usr/bin/rustc")),
                "/usr/bin/rustc exists here and is tried before the PATH");
        Path dir = instantiate("rust", "greet-rs");
        Path rustc = fakeRustc("on-path", true);
        Run build = sh(dir, Map.of("PATH", rustc.getParent() + ":/usr/bin:/bin"), "build.sh");
        assertThat(build.exit()).as("build.sh: %s", build.err()).isZero();
        assertThat(build.out()).contains("(with " + rustc + ")");
    }

    /** Copies a template out of the class path as kami init does. */
    private Path instantiate(String lang, String name) throws IOException {
        Path dir = work.resolve(name);
        String base = "dev/kami/guest/templates/" + lang + "/";
        for (String file : resource(base + "template.files").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent());
            Files.writeString(target, resource(base + file).replace("{{name}}", name).replace("{{id}}", "dev.test." + name));
        }
        return dir;
    }

    /**
     * A stand-in rustc: answers {@code --print target-libdir} with a folder that has (or lacks) a
     * {@code libstd-*} file, and "builds" by writing its {@code -o} file.
     */
    private Path fakeRustc(String folder, boolean wasmStd) throws IOException {
        Path bin = Files.createDirectories(work.resolve(folder));
        Path libdir = Files.createDirectories(work.resolve(folder + "-lib"));
        if (wasmStd) {
            Files.writeString(libdir.resolve("libstd-0123.rlib"), "");
        }
        Path rustc = bin.resolve("rustc");
        Files.writeString(rustc, """
                #!/bin/sh
                if [ "$1" = "--print" ]; then echo '%s'; exit 0; fi
                out=""
                while [ $# -gt 0 ]; do [ "$1" = "-o" ] && out=$2; shift; done
                printf 'built by the fake rustc' > "$out"
                """.formatted(libdir));
        rustc.toFile().setExecutable(true);
        return rustc;
    }

    record Run(int exit, String out, String err) {
    }

    private static Run sh(Path dir, Map<String, String> env, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", script).directory(dir.toFile());
        pb.environment().remove("RUSTC");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", script).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static boolean onPath(String command) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TemplatesTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("class-path resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
