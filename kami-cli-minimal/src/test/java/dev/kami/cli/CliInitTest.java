package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code kami init} for every language gives a package that {@code kami validate} accepts once
 * built, where the machine has the language's toolchain (a missing one is skipped with a message on
 * stderr); and {@code kami validate} accepts every committed sample, always.
 */
@Timeout(600)
class CliInitTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void validateAcceptsEveryCommittedSample() throws Exception {
        List<String> args = new ArrayList<>(List.of("--json", "validate"));
        try (var dirs = Files.list(KamiRunner.SAMPLES)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("tool.toml"))).sorted().forEach(d -> args.add(d.toString()));
        }
        assertThat(args).hasSizeGreaterThan(4);
        KamiRunner.Result r = KamiRunner.jar(home, args.toArray(String[]::new)).expect(0);
        JsonNode all = JsonMapper.builder().build().readTree(r.out());
        assertThat(all).hasSize(args.size() - 2);
        for (JsonNode n : all) {
            assertThat(n.get("valid").asBoolean()).as("%s", n).isTrue();
        }
    }

    @Test
    void everyTemplateWithAToolchainBuildsIntoAValidPackage() throws Exception {
        List<String> dirs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String lang : AuthorCommands.LANGUAGES) {
            String missing = missingToolchain(lang);
            if (missing == null && lang.equals("java") && !Boolean.getBoolean("kami.test.slowTemplates")) {
                missing = "TeaVM builds take about a minute; run with -Dkami.test.slowTemplates=true";
            }
            String name = "t-" + lang;
            KamiRunner.Result init = KamiRunner.inProcess(home, "init", name, "--lang", lang, "--dir", work.toString(),
                    "--id", "dev.test." + name).expect(0);
            Path dir = work.resolve(name);
            assertThat(init.out()).contains("created dev.test." + name + " (" + lang + ")");
            assertThat(Files.readString(dir.resolve("tool.toml"))).contains("id = \"dev.test." + name + "\"")
                    .doesNotContain("{{");
            assertThat(dir.resolve("build.sh")).isExecutable();
            if (missing != null) {
                skipped.add(lang + " (" + missing + ")");
                continue;
            }
            if (lang.equals("assemblyscript")) {
                Files.createSymbolicLink(dir.resolve("node_modules"),
                        KamiRunner.sample("hello-assemblyscript").resolve("node_modules"));
            }
            ProcessBuilder pb = new ProcessBuilder("sh", "build.sh").directory(dir.toFile()).redirectErrorStream(true);
            if (lang.equals("rust")) {
                pb.environment().put("RUSTC", rustcWithWasmStd());
            }
            Process p = pb.start();
            var out = KamiRunner.drain(p.getInputStream());
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("build of the %s template finished", lang).isTrue();
            assertThat(p.exitValue()).as("build of the %s template:%n%s", lang, out.get()).isZero();
            dirs.add(dir.toString());
        }
        if (!skipped.isEmpty()) {
            System.err.println("[CliInitTest] SKIPPED templates without a toolchain here: " + skipped);
        }
        // a machine with only Java and Maven still gets a green build (.ci/run installs wabt, so CI
        // always builds at least the wat template)
        org.junit.jupiter.api.Assumptions.assumeFalse(dirs.isEmpty(),
                "no guest toolchain on this machine: template builds skipped " + skipped);
        List<String> args = new ArrayList<>(List.of("validate"));
        args.addAll(dirs);
        KamiRunner.Result r = KamiRunner.jar(home, args.toArray(String[]::new)).expect(0);
        for (String d : dirs) {
            String name = Path.of(d).getFileName().toString();
            assertThat(r.out()).contains("ok: dev.test." + name + " 0.1.0");
        }
    }

    @Test
    void initRefusesABadNameALanguageItDoesNotKnowAndAnExistingDirectory() throws Exception {
        assertThat(KamiRunner.inProcess(home, "init", "Bad_Name", "--lang", "c").expect(2).err())
                .contains("'Bad_Name' is not a tool name");
        assertThat(KamiRunner.inProcess(home, "init", "x", "--lang", "cobol").expect(2).err())
                .contains("unknown language 'cobol'").contains("c, rust, assemblyscript, wat, java");
        assertThat(KamiRunner.inProcess(home, "init", "x", "--lang", "c", "--id", "NoDots").expect(2).err())
                .contains("'NoDots' is not a tool id");
        assertThat(KamiRunner.inProcess(home, "init", "x").expect(2).err()).contains("Missing required option: '--lang");
        Files.createDirectories(work.resolve("taken"));
        assertThat(KamiRunner.inProcess(home, "init", "taken", "--lang", "wat", "--dir", work.toString()).expect(3)
                .err()).contains("exists already");
    }

    /** @return what is missing to build the language's template here, or null */
    static String missingToolchain(String lang) {
        return switch (lang) {
            case "c" -> onPath("clang") && Files.isDirectory(Path.of("/usr/include/wasm32-wasi")) ? null
                    : "clang with wasi-libc";
            case "wat" -> onPath("wat2wasm") ? null : "wat2wasm (wabt)";
            case "rust" -> rustcWithWasmStd() != null ? null
                    : "a rustc with the wasm32-unknown-unknown standard library (Debian: rustc libstd-rust-dev-wasm32)";
            case "assemblyscript" -> onPath("node") && Files.isDirectory(KamiRunner.sample("hello-assemblyscript")
                    .resolve("node_modules/assemblyscript")) ? null
                            : "node and samples/tools/hello-assemblyscript/node_modules (npm install there)";
            case "java" -> onPath("mvn") && onPath("wasm2wat") && onPath("wat2wasm") && Files.isDirectory(
                    Path.of(System.getProperty("user.home"), ".m2/repository/org/teavm/teavm-maven-plugin"))
                            ? null : "mvn, wabt and TeaVM in ~/.m2";
            default -> "unknown language";
        };
    }

    /**
     * @return Debian's rustc or the one on the PATH, whichever has the standard library for
     *     wasm32-unknown-unknown (a rustup toolchain often has no wasm target), or null
     */
    static String rustcWithWasmStd() {
        return Rustc.FOUND;
    }

    /** Looks for the rustc once (each look starts one or two processes). */
    private static final class Rustc {
        static final String FOUND = find();
    }

    private static String find() {
        List<String> candidates = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/rustc"))) {
            candidates.add("/usr/bin/rustc");
        }
        if (onPath("rustc")) {
            candidates.add("rustc");
        }
        for (String rustc : candidates) {
            try {
                Process p = new ProcessBuilder(rustc, "--print", "target-libdir", "--target", "wasm32-unknown-unknown")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isDirectory(Path.of(out))) {
                    try (var libs = Files.list(Path.of(out))) {
                        if (libs.anyMatch(f -> f.getFileName().toString().startsWith("libstd-"))) {
                            return rustc;
                        }
                    }
                }
            } catch (java.io.IOException | InterruptedException | java.nio.file.InvalidPathException e) {
                // not usable: try the next one
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
