package dev.kami.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.Kami;
import dev.kami.LogEntry;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import dev.kami.manifest.Abi;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ToolEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tool writes is untrusted: whatever bytes, logs and error messages an engine hands back,
 * {@code kami.call} turns them into a {@link ToolResult} (success with its text, structured
 * content only when the text is a JSON object, or an error with a kind and a message) and never
 * throws. The engine is a stand-in that returns the fuzzer's bytes, so only KAMI's own output
 * handling runs.
 */
class ToolOutputFuzzTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicReference<EngineResult> NEXT = new AtomicReference<>();
    private static final Kami KAMI = kami();

    private static Kami kami() {
        ToolEngine engine = mock(ToolEngine.class);
        CompiledModule module = mock(CompiledModule.class);
        when(engine.id()).thenReturn("fuzz");
        when(engine.inspect(any(String.class), any(byte[].class))).thenReturn(new ModuleInfo(Abi.KAMI_V1,
                List.of("kami.output"), List.of("memory", "kami_alloc", "kami_run"), 1, -1, false));
        when(engine.compile(any())).thenReturn(module);
        when(engine.compile(any(), any())).thenReturn(module); // the core compiles through the code-cache overload
        when(module.estimatedSizeBytes()).thenReturn(1000L);
        when(module.invoke(any())).thenAnswer(a -> NEXT.get());
        Kami kami = Kami.builder().engine(engine).inMemory().build();
        try {
            Path dir = Files.createTempDirectory("kami-fuzz-output");
            Files.writeString(dir.resolve("tool.toml"), """
                    [tool]
                    id = "dev.fuzz.output"
                    name = "output"
                    version = "1.0.0"
                    wasm = "t.wasm"

                    [mcp]
                    description = "Returns whatever the fuzzer says"
                    """);
            Files.write(dir.resolve("t.wasm"), "a module".getBytes(StandardCharsets.UTF_8));
            kami.install(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kami;
    }

    @FuzzTest(maxDuration = "20s")
    void everyOutputBecomesAResult(FuzzedDataProvider data) throws Exception {
        boolean success = data.consumeBoolean();
        ToolErrorKind kind = data.pickValue(ToolErrorKind.values());
        String log = data.consumeString(200);
        String message = data.consumeString(500);
        byte[] output = data.consumeRemainingAsBytes();
        List<LogEntry> logs = List.of(new LogEntry(2, log));
        NEXT.set(success ? EngineResult.success(output, logs, -1) : EngineResult.failure(kind, message, logs));

        ToolResult r = KAMI.call("dev.fuzz.output", "{}");

        assertThat(r).isNotNull();
        if (r.isError()) {
            assertThat(r.errorKind()).isNotNull();
            assertThat(r.text()).isNotNull();
        } else {
            assertThat(r.text()).isNotNull();
            if (r.structuredJson() != null) {
                JsonNode node = JSON.readTree(r.structuredJson());
                assertThat(node.isObject()).as(r.structuredJson()).isTrue();
            }
        }
    }
}
