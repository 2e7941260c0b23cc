package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scratch quotas (HostPolicy's ScratchLimits: files, directories, path length, depth, open
 * descriptors, bytes) hold for a component's wasi:filesystem /data as for WASI preview 1. The
 * fixture (c-scratch, C through libc and the preview-1 adapter) fills /data until it is refused
 * and reports how far it got and the errno it saw.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ComponentScratchQuotaTest {
    private static ToolEngine engine;
    private static CompiledModule scratch;

    @BeforeAll
    static void compile() {
        engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of("fs.maxFiles", "20",
                "fs.maxDirectories", "7", "fs.maxDepth", "5", "fs.maxPathLength", "1000", "fs.maxOpenFiles", "6",
                "fs.maxScratchBytes", String.valueOf(512 * 1024))));
        scratch = engine.compile(new ModuleSource("c-scratch", ComponentParserTest.fixture("c-scratch.wasm"),
                "0".repeat(64), null));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static String run(String word, EffectivePermissions p) {
        EngineResult r = scratch.invoke(Invocation.of("c-scratch", word.getBytes(StandardCharsets.UTF_8), p));
        assertThat(r.message()).as("call %s", word).isNull();
        return new String(r.output(), StandardCharsets.UTF_8);
    }

    private static EffectivePermissions sandbox() {
        return new EffectivePermissions(FsAccess.SANDBOX, null, List.of(), List.of(), 64, 20_000, 0, 1024 * 1024);
    }

    @Test
    void filesStopAtMaxFilesWithQuotaExceeded() {
        assertThat(run("files", sandbox())).isEqualTo("files: 20 then Quota exceeded");
    }

    @Test
    void directoriesStopAtMaxDirectories() {
        assertThat(run("dirs", sandbox())).isEqualTo("dirs: 7 then Quota exceeded");
    }

    @Test
    void nestingStopsAtMaxDepthWithNameTooLong() {
        // /data/a (depth 1) ... /data/a/a/a/a/a (depth 5); the sixth level is refused
        assertThat(run("deep", sandbox())).isEqualTo("deep: 5 then Filename too long");
    }

    @Test
    void pathsStopAtMaxPathLength() {
        // "/data" + 4 × "/" + 200 names = 809 bytes; a fifth name makes 1010 > 1000
        assertThat(run("long", sandbox())).isEqualTo("long: 4 then Filename too long");
    }

    @Test
    void openDescriptorsStopAtMaxOpenFiles() {
        assertThat(run("open", sandbox())).isEqualTo("open: 6 then Out of memory");
    }

    @Test
    void bytesStopAtMaxScratchBytes() {
        String out = run("bytes", sandbox());
        assertThat(out).startsWith("bytes: ").endsWith(" then No space left on device");
        int blocks = Integer.parseInt(out.substring("bytes: ".length(), out.indexOf(' ', "bytes: ".length())));
        assertThat(blocks).isBetween(6, 8); // 512 KiB of 64 KiB blocks, less jimfs's own block rounding
    }

    @Test
    void aReadOnlyCopyCountsAgainstTheQuotasToo(@TempDir Path granted) throws Exception {
        for (int i = 0; i < 21; i++) {
            Files.writeString(granted.resolve("f" + i), "x");
        }
        EffectivePermissions ro = new EffectivePermissions(FsAccess.READ_ONLY, granted, List.of(), List.of(), 64,
                20_000, 0, 1024 * 1024);
        EngineResult r = scratch.invoke(Invocation.of("c-scratch", "files".getBytes(StandardCharsets.UTF_8), ro));
        assertThat(r.success()).isFalse();
        assertThat(r.message()).isEqualTo("the directory granted to tool 'c-scratch' (" + granted.toRealPath()
                + ") holds more than 20 files, the most shown to a call (fs.maxFiles; HostPolicy.scratch(..))");
    }
}
