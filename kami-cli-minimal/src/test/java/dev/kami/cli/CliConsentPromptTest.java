package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive consent prompt of {@code kami install}, on a real terminal: the jar runs under
 * util-linux {@code script}, which gives it a pseudo-terminal (so {@code System.console()} exists)
 * and types the answer. Skipped, with a message, where {@code script} is missing.
 */
@Timeout(180)
class CliConsentPromptTest {
    @TempDir
    Path home;

    /** Runs {@code kami --home home args} on a pseudo-terminal, answering {@code answer}. */
    private KamiRunner.Result onTerminal(String answer, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(KamiRunner.javaCommand());
        cmd.addAll(List.of("--home", home.toString()));
        cmd.addAll(List.of(args));
        String line = cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Process p = new ProcessBuilder("script", "-qec", line, "/dev/null").directory(home.toFile())
                .redirectErrorStream(true).start();
        var out = KamiRunner.drain(p.getInputStream());
        try (var in = p.getOutputStream()) {
            in.write(answer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kami on a terminal finished").isTrue();
        return new KamiRunner.Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), "");
    }

    private static boolean scriptAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "script"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void yesInstallsAfterShowingThePermissionsAndNoRefuses() throws Exception {
        Assumptions.assumeTrue(scriptAvailable(), "util-linux 'script' is not installed: no pseudo-terminal to test on");
        String echo = KamiRunner.sample("echo").toString();
        KamiRunner.Result no = onTerminal("n\n", "install", echo);
        assertThat(no.code()).as(no.out()).isEqualTo(3);
        assertThat(no.out()).contains("requests:").contains("Grant these permissions and install dev.kami.echo? [y/N]")
                .contains("not installed: permissions not granted").contains("answer y to install, or pass --yes");
        assertThat(KamiRunner.jar(home, "list").expect(0).out()).doesNotContain("dev.kami.echo");

        KamiRunner.Result yes = onTerminal("y\n", "install", echo);
        assertThat(yes.code()).as(yes.out()).isZero();
        assertThat(yes.out()).contains("[y/N]").contains("installed dev.kami.echo 1.0.0");
        assertThat(KamiRunner.jar(home, "list").expect(0).out()).contains("dev.kami.echo");
    }
}
