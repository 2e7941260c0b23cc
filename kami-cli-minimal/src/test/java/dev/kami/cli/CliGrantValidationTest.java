package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 'kami grant' refuses a grant that cannot work when it is given (issue 18, finding 6). */
@Timeout(120)
class CliGrantValidationTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void aReadOnlyGrantOfAMissingDirectoryIsRefusedAndAVanishedOneRefusesTheCallClearly() throws Exception {
        Path pkg = KamiRunner.copySample("echo", work);
        Files.writeString(pkg.resolve("tool.toml"), Files.readString(pkg.resolve("tool.toml"))
                .replace("fs_access = \"none\"", "fs_access = \"read-only\""));
        KamiRunner.inProcess(home, "install", "--yes", pkg.toString()).expect(0);

        Path missing = work.resolve("nonexistent");
        KamiRunner.Result refused = KamiRunner.inProcess(home, "grant", "dev.kami.echo", "fs:read-only:" + missing)
                .expect(3);
        assertThat(refused.err()).contains("cannot grant fs:read-only:" + missing + " to tool dev.kami.echo: "
                + missing + " does not exist; grant an existing, readable directory (fs:read-only:/path/to/dir)");
        Path file = Files.writeString(work.resolve("file.txt"), "x");
        assertThat(KamiRunner.inProcess(home, "grant", "dev.kami.echo", "fs:read-only:" + file).expect(3).err())
                .contains(file + " is not a directory");

        Path data = Files.createDirectories(work.resolve("data"));
        KamiRunner.inProcess(home, "grant", "dev.kami.echo", "fs:read-only:" + data).expect(0);
        assertThat(KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{\"message\":\"hi\"}").expect(0).out())
                .contains("hi");
        Files.delete(data);
        KamiRunner.Result call = KamiRunner.inProcess(home, "exec", "dev.kami.echo", "{\"message\":\"hi\"}").expect(3);
        assertThat(call.err()).contains("tool dev.kami.echo cannot run: its granted fs:read-only directory " + data
                + " does not exist").doesNotContain("java.", "com.dylibso", "INTERNAL");

        Files.writeString(home.resolve("config.toml"), "[policy]\nmax_fs_access = \"none\"\n");
        assertThat(KamiRunner.inProcess(home, "grant", "dev.kami.echo", "fs:sandbox").expect(3).err())
                .contains("fs:sandbox is beyond the host policy's ceiling fs:none");
    }
}
