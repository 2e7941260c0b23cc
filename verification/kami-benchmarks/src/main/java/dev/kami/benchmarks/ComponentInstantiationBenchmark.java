package dev.kami.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.kami.engine.chicory.component.Component;
import dev.kami.engine.chicory.component.ComponentLinker;
import dev.kami.engine.chicory.component.ComponentParser;
import dev.kami.engine.chicory.component.KamiToolHost;
import dev.kami.engine.chicory.component.wasi.WasiPreview2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Instantiating a whole component (every core module, wired as the component says, start
 * functions run) against instantiating its main core module alone (the same kind of compiled
 * factory and memory, under the same memory cap, its imports stubbed, {@code _initialize} run).
 * Target: at most 2 ×.
 * {@code c-bench-echo} needs no WASI, so wit-component leaves the adapter out (main module + a
 * start shim); {@code c-echo} writes to stderr and reads the clock, so it carries the preview-1
 * adapter, a shim and a fixup module, and imports WASI 0.2.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xss16m", "-Xmx1g"})
public class ComponentInstantiationBenchmark {
    /** 16 MiB (max_memory_mb = 16, as the echo samples), in 64 KiB pages. */
    static final int CAP_PAGES = 16 * 16;

    @Param({"c-bench-echo", "c-echo"})
    public String fixture;

    private ComponentLinker linker;
    private WasmModule main;
    private Function<Instance, Machine> mainFactory;
    private ImportValues mainImports;
    private boolean mainInitialize;
    /** The main module's memory under the same cap as the component's (CAP_PAGES). */
    private MemoryLimits mainLimits;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path repo = Path.of(System.getProperty("kami.repo", "."));
        byte[] wasm = Files.readAllBytes(repo.resolve("kami-wasm-chicory/src/test/resources/components/" + fixture
                + ".wasm"));
        Component component = ComponentParser.parse(fixture, wasm);
        linker = new ComponentLinker(fixture, component, true);
        for (byte[] bytes : component.coreModules()) {
            WasmModule m;
            try {
                m = Parser.parse(bytes);
            } catch (RuntimeException e) {
                continue; // a start shim with an empty import name, which Chicory cannot read (ADR 0110)
            }
            for (int i = 0; i < m.exportSection().exportCount(); i++) {
                if (m.exportSection().getExport(i).name().equals("kami:tool/tool@0.1.0#run")) {
                    main = m;
                }
            }
        }
        if (main == null) {
            throw new IllegalStateException(fixture + " has no core module exporting kami:tool/tool@0.1.0#run");
        }
        mainFactory = MachineFactoryCompiler.compile(main);
        ImportValues.Builder imports = ImportValues.builder();
        for (int i = 0; i < main.importSection().importCount(); i++) {
            if (main.importSection().getImport(i) instanceof FunctionImport f) {
                FunctionType type = main.typeSection().getType(f.typeIndex());
                imports.addFunction(new HostFunction(f.module(), f.name(), type, (inst, args) -> {
                    throw new IllegalStateException("not called while instantiating");
                }));
            } else if (main.importSection().getImport(i).importType() != ExternalType.FUNCTION) {
                throw new IllegalStateException("the main module imports more than functions");
            }
        }
        mainImports = imports.build();
        MemoryLimits declared = main.memorySection().orElseThrow().getMemory(0).limits();
        mainLimits = new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), CAP_PAGES));
        for (int i = 0; i < main.exportSection().exportCount(); i++) {
            mainInitialize |= main.exportSection().getExport(i).name().equals("_initialize");
        }
    }

    @Benchmark
    public Object componentInstantiate() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        WasiPreview2 wasi = new WasiPreview2(new byte[0], sink, sink, Map.of(), List.of("bench"), null);
        KamiToolHost host = new KamiToolHost(wasi, (level, message) -> { });
        return linker.instantiate(new ComponentLinker.Options(host, ByteArrayMemory::new, CAP_PAGES, null));
    }

    @Benchmark
    public Object mainCoreModuleInstantiate() {
        Instance instance = Instance.builder(main).withMachineFactory(mainFactory).withImportValues(mainImports)
                .withMemoryFactory(ByteArrayMemory::new).withMemoryLimits(mainLimits).build();
        if (mainInitialize) {
            instance.export("_initialize").apply();
        }
        return instance;
    }
}
