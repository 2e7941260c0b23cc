package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.ToolErrorKind;
import dev.kami.manifest.FsAccess;
import dev.kami.spi.EngineResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Rust Extism plugin on WASI preview 1 (rust/read_file.rs): Extism's allowed paths are KAMI's
 * file-system grant, seen as /data, and nothing else is reachable.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExtismWasiTest {
    private static final ExtismEngineHarness ENGINE = new ExtismEngineHarness("compiled");

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void readsAFileOfTheGrantedDirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("hello.txt"), "hello from the host\n");
        EngineResult r = ENGINE.call("rust-read-file", "{\"path\":\"/data/hello.txt\"}",
                ExtismEngineHarness.perms().withFs(FsAccess.READ_ONLY, dir), Map.of());
        assertThat(r.success()).as(r.message()).isTrue();
        assertThat(ExtismEngineHarness.text(r)).isEqualTo("hello from the host\n");
    }

    @Test
    void seesNoFileWithoutAGrant(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("hello.txt"), "secret");
        EngineResult r = ENGINE.call("rust-read-file", "{\"path\":\"/data/hello.txt\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).startsWith("tool 'test.rust-read-file' (read_file) reported an error: "
                + "cannot read /data/hello.txt: ");
    }

    @Test
    void cannotLeaveTheGrantedDirectory(@TempDir Path dir) throws IOException {
        Path inside = Files.createDirectory(dir.resolve("granted"));
        Files.writeString(dir.resolve("outside.txt"), "secret");
        EngineResult r = ENGINE.call("rust-read-file", "{\"path\":\"/data/../outside.txt\"}",
                ExtismEngineHarness.perms().withFs(FsAccess.READ_ONLY, inside), Map.of());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).contains("cannot read /data/../outside.txt: ").doesNotContain("secret");
    }
}
