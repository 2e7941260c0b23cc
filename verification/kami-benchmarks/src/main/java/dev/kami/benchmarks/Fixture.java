package dev.kami.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ValType;
import dev.kami.Kami;
import dev.kami.ToolResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * One sample tool, ready two ways: through KAMI ({@code kami.call}) and through raw Chicory (a
 * fresh instance from the same kind of compiled machine factory, the same kami-v1 call sequence,
 * a minimal {@code kami.output}). The difference is KAMI's overhead: scheduling, permissions,
 * sandbox set-up, caps, result building.
 */
final class Fixture implements AutoCloseable {
    final Kami kami;
    final String toolId;
    final byte[] input;
    private final WasmModule module;
    private final Function<Instance, Machine> factory;

    Fixture(String dir, String toolId, String wasmFile, String json) {
        Path tools = Path.of(System.getProperty("kami.samples", "samples/tools"));
        try {
            byte[] bytes = Files.readAllBytes(tools.resolve(dir).resolve(wasmFile));
            this.module = Parser.parse(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("run from the repository root, or set -Dkami.samples=DIR", e);
        }
        this.factory = MachineFactoryCompiler.compile(module);
        this.kami = Kami.builder().inMemory().build();
        this.kami.install(tools.resolve(dir));
        this.toolId = toolId;
        this.input = json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks that both paths give the same answer. Called at tear-down, after measuring: running
     * both paths in one fork before measuring would mix two memory classes in the JIT's type
     * profiles of Chicory's shared helpers and slow whichever path is measured.
     */
    void checkAgreement() {
        String viaKami = callKami().text();
        String raw = new String(callRaw(), StandardCharsets.UTF_8);
        if (!viaKami.equals(raw)) {
            throw new IllegalStateException("KAMI and raw Chicory disagree: '" + viaKami + "' vs '" + raw + "'");
        }
    }

    ToolResult callKami() {
        ToolResult r = kami.call(toolId, new String(input, StandardCharsets.UTF_8));
        if (r.isError()) {
            throw new IllegalStateException(r.errorKind() + ": " + r.text());
        }
        return r;
    }

    /**
     * The same call on raw Chicory with {@code ByteArrayMemory} (the memory KAMI's engine used
     * before it had its own, docs/adr/0106): fresh instance, _initialize, kami_alloc, write,
     * kami_run.
     */
    byte[] callRaw() {
        return callRaw(true);
    }

    /** As {@link #callRaw()}, with Chicory's default memory (a {@code ByteBuffer} allocated eagerly). */
    byte[] callRawDefaultMemory() {
        return callRaw(false);
    }

    private byte[] callRaw(boolean byteArrayMemory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HostFunction output = new HostFunction("kami", "output", List.of(ValType.I32, ValType.I32), List.of(),
                (inst, args) -> {
                    out.writeBytes(inst.memory().readBytes((int) args[0], (int) args[1]));
                    return null;
                });
        Instance.Builder b = Instance.builder(module).withMachineFactory(factory)
                .withImportValues(ImportValues.builder().addFunction(output).build());
        if (byteArrayMemory) {
            b.withMemoryFactory(ByteArrayMemory::new);
        }
        Instance instance = b.build();
        ExportFunction init = instance.export("_initialize");
        init.apply();
        int ptr = (int) instance.export("kami_alloc").apply(input.length)[0];
        instance.memory().write(ptr, input);
        long status = instance.export("kami_run").apply(ptr, input.length)[0];
        if (status != 0) {
            throw new IllegalStateException("raw call failed: " + out);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        kami.close();
    }
}
