package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ModuleRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ComponentParserTest {
    static byte[] fixture(String name) {
        try (InputStream in = ComponentParserTest.class.getResourceAsStream("/components/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /components/" + name
                        + " (scripts/build-components.sh builds it)");
            }
            return name.endsWith(".gz") ? new java.util.zip.GZIPInputStream(in).readAllBytes() : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsAComponentMadeByJcoFromACModuleWithThePreview1Adapter() {
        Component c = ComponentParser.parse("c-echo", fixture("c-echo.wasm"));
        // main module, adapter, shim, fixup, and the adapter's own little module for its table
        assertThat(c.coreModules()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(c.imports().keySet()).contains("kami:tool/host@0.1.0", "wasi:io/streams@0.2.3",
                "wasi:cli/stderr@0.2.3", "wasi:filesystem/preopens@0.2.3");
        assertThat(c.imports().get("kami:tool/host@0.1.0").wit()).isEqualTo("instance { log-level: enum { trace, "
                + "debug, info, warn, error }; log: func(level: enum { trace, debug, info, warn, error }, message: "
                + "string) }");
        assertThat(c.exports()).containsOnlyKeys("kami:tool/tool@0.1.0");
        assertThat(c.exports().get("kami:tool/tool@0.1.0").wit()).isEqualTo(
                "instance { run: func(input: string) -> result<string, string>; describe: func() -> string }");
        CType.InstanceT streams = (CType.InstanceT) c.imports().get("wasi:io/streams@0.2.3");
        CType.Resource out = (CType.Resource) streams.exports().get("output-stream");
        assertThat(out.owner()).isEqualTo("wasi:io/streams@0.2.3");
        CType.InstanceT stderr = (CType.InstanceT) c.imports().get("wasi:cli/stderr@0.2.3");
        // the same resource, aliased from the streams instance: identity kept
        assertThat(stderr.exports().get("output-stream")).isSameAs(out);
        assertThat(c.components()).hasSize(1);
        assertThat(c.components().get(0).exportPaths()).containsKeys("run", "describe");
    }

    @Test
    void corruptedComponentsAreRefusedCleanlyNeverWithAnotherException() {
        byte[] original = fixture("c-echo.wasm");
        java.util.Random random = new java.util.Random(11);
        int refused = 0;
        for (int round = 0; round < 300; round++) {
            byte[] b = original.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                // most flips land in the component's own sections, after the core modules
                int at = random.nextBoolean() ? 8 + random.nextInt(200) : b.length - 1 - random.nextInt(6000);
                b[at] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                b = Arrays.copyOf(b, 8 + random.nextInt(b.length - 8));
            }
            try {
                Component c = ComponentParser.parse("fuzz", b);
                new ComponentLinker("fuzz", c, false); // parses every core module with Chicory
            } catch (ModuleRejectedException e) {
                assertThat(e.getMessage()).startsWith("co").doesNotContain("java.", "com.", "dev.kami");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(100);
    }

    @Test
    void aCoreModuleIsNotAComponent() {
        byte[] core = {0, 'a', 's', 'm', 1, 0, 0, 0};
        assertThat(ComponentParser.isComponent(core)).isFalse();
        assertThatThrownBy(() -> ComponentParser.parse("t", core)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("component of tool 't' is a core module (layer 0), not a component");
    }

    @Test
    void anotherBinaryVersionIsRefusedWithTheVersionFound() {
        byte[] old = {0, 'a', 's', 'm', 0x0a, 0, 1, 0};
        assertThatThrownBy(() -> ComponentParser.parse("t", old)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("component of tool 't' has component binary version 0xa; KAMI reads "
                        + "version 0x0d");
    }

    @Test
    void aTruncatedComponentIsRefusedWithWhereItEnds() {
        byte[] full = fixture("c-echo.wasm");
        byte[] cut = Arrays.copyOf(full, 5000);
        assertThatThrownBy(() -> ComponentParser.parse("t", cut)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageContaining("past the end of the file (5000 bytes)");
    }

    @Test
    void anUnknownSectionAndAnOutOfRangeIndexAreRefused() {
        byte[] unknown = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 0x20, 0};
        assertThatThrownBy(() -> ComponentParser.parse("t", unknown)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("component of tool 't' has an unknown section id 32 at byte 8");
        // an alias section: one alias of core func "f" of core instance 3, when none exist
        byte[] badIndex = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 6, 6, 1, 0, 0, 1, 3, 0};
        assertThatThrownBy(() -> ComponentParser.parse("t", badIndex)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("component of tool 't' refers to core instance 3 but only 0 are defined at "
                        + "that point");
    }

    @Test
    void asyncAndUtf16AreRefusedByName() {
        // canon section: lift core func 0 with option 0x01 (UTF-16); no core func 0 -> index first
        byte[] utf16 = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 8, 6, 1, 0x06, 0, 0, 0, 0};
        assertThatThrownBy(() -> ComponentParser.parse("t", utf16)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageContaining("has the canonical built-in 0x6 (async, threads or streams)");
        // type section: one async function type
        byte[] async = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 7, 2, 1, 0x43};
        assertThatThrownBy(() -> ComponentParser.parse("t", async)).isInstanceOf(ModuleRejectedException.class)
                .hasMessageContaining("defines an async function type; KAMI runs synchronous components only");
    }
}
