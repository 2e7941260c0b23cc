package dev.kami.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.InstallOptions;
import dev.kami.Kami;
import dev.kami.PolicyViolationException;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grants are checked when given (issue 18, finding 6): a directory that is missing or not a
 * directory, or a mode beyond the ceiling, is refused at grant time; a granted directory removed
 * later makes a call refused with a clear message, never an INTERNAL error naming Java classes.
 */
@Timeout(120)
class GrantValidationTest {
    @TempDir
    Path dir;

    /** The echo sample asking for read-only file access. */
    private Path readOnlyEcho() throws Exception {
        Path p = Registries.echoCopy(dir, "dev.kami.reader", "1.0.0");
        Files.writeString(p.resolve("tool.toml"), Files.readString(p.resolve("tool.toml"))
                .replace("fs_access = \"none\"", "fs_access = \"read-only\""));
        return p;
    }

    @Test
    void aPathGrantThatCannotWorkIsRefusedWhenGiven() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file.txt"), "x");
        Path reader = readOnlyEcho();
        try (Kami kami = Kami.builder().home(dir).inMemory().build()) {
            kami.install(reader);
            Path missing = dir.resolve("nonexistent");
            assertThatThrownBy(() -> kami.grant("dev.kami.reader", Permission.parse("fs:read-only:" + missing)))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessage("cannot grant fs:read-only:" + missing + " to tool dev.kami.reader: " + missing
                            + " does not exist; grant an existing, readable directory (fs:read-only:/path/to/dir)");
            assertThatThrownBy(() -> kami.grant("dev.kami.reader", Permission.parse("fs:read-only:" + file)))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining(file + " is not a directory");
            assertThat(kami.tool("dev.kami.reader").grants().fsAccess()).isEqualTo(FsAccess.NONE);

            Path data = Files.createDirectories(dir.resolve("data"));
            assertThat(kami.grant("dev.kami.reader", Permission.parse("fs:read-only:" + data)).fsDirectory())
                    .isEqualTo(data);
            // the same check when grants come with the install
            assertThatThrownBy(() -> kami.install(reader.toString(), InstallOptions.defaults().withForce(true)
                    .withGrants(new Grants(FsAccess.READ_ONLY, missing, List.of(), List.of()))))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining(missing + " does not exist");
        }
    }

    @Test
    void aGrantBeyondTheCeilingIsRefusedWhenGiven() throws Exception {
        HostPolicy noFs = HostPolicy.builder().maxFsAccess(FsAccess.NONE).allowHosts("api.example.com").build();
        try (Kami kami = Kami.builder().home(dir).inMemory().policy(noFs).build()) {
            kami.install(Registries.ECHO);
            assertThatThrownBy(() -> kami.grant("dev.kami.echo", Permission.parse("fs:sandbox")))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessage("cannot grant fs:sandbox to tool dev.kami.echo: fs:sandbox is beyond the host policy's"
                            + " ceiling fs:none; grant a lesser mode or raise the ceiling (HostPolicy.maxFsAccess,"
                            + " max_fs_access in config.toml)");
            assertThatThrownBy(() -> kami.grant("dev.kami.echo", Permission.parse("net:evil.example.org")))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("host evil.example.org is beyond the host policy's allowed hosts"
                            + " (api.example.com)");
            assertThatThrownBy(() -> kami.grant("dev.kami.echo", Permission.parse("env:HOME")))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("variable HOME is beyond the host policy's allowed variables (none)");
            assertThat(kami.grant("dev.kami.echo", Permission.parse("net:api.example.com")).netAllowList())
                    .containsExactly("api.example.com");
        }
    }

    @Test
    void aGrantedDirectoryRemovedLaterRefusesTheCallClearly() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (Kami kami = Kami.builder().home(dir).inMemory().build()) {
            kami.install(readOnlyEcho());
            kami.grant("dev.kami.reader", Permission.parse("fs:read-only:" + data));
            assertThat(kami.call("dev.kami.reader", "{\"message\":\"hi\"}").isError()).isFalse();
            Files.delete(data);
            assertThatThrownBy(() -> kami.call("dev.kami.reader", "{\"message\":\"hi\"}"))
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessage("tool dev.kami.reader cannot run: its granted fs:read-only directory " + data
                            + " does not exist. Grant an existing directory with 'kami grant dev.kami.reader"
                            + " fs:read-only:DIR', or revoke it with 'kami revoke dev.kami.reader fs:none'")
                    .message().doesNotContain("java.", "com.", "Exception");
            // the other tools are untouched
            kami.install(Registries.ECHO);
            assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}").isError()).isFalse();
        }
    }
}
