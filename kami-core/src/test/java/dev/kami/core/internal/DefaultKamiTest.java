package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.kami.BusyException;
import dev.kami.CallOptions;
import dev.kami.CancellationToken;
import dev.kami.ConfigurationException;
import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.IntegrityException;
import dev.kami.Kami;
import dev.kami.KamiListener;
import dev.kami.MetricsSnapshot;
import dev.kami.ModuleRejectedException;
import dev.kami.PolicyViolationException;
import dev.kami.ToolChange;
import dev.kami.ToolConflictException;
import dev.kami.ToolErrorKind;
import dev.kami.ToolNotFoundException;
import dev.kami.ToolResult;
import dev.kami.core.store.InMemoryToolStore;
import dev.kami.manifest.Abi;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ToolEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/** The core's pipeline end to end, with a test-double engine: install, call, lifecycle, limits. */
@Timeout(60)
class DefaultKamiTest {
    @TempDir
    Path dir;

    private ToolEngine engine;
    private CompiledModule module;
    private Kami kami;
    private final AtomicReference<java.util.function.Function<Invocation, EngineResult>> behaviour =
            new AtomicReference<>(inv -> EngineResult.success(inv.input(), List.of(), -1));

    @BeforeEach
    void engine() {
        engine = mock(ToolEngine.class);
        module = mock(CompiledModule.class);
        when(engine.id()).thenReturn("fake");
        when(engine.inspect(org.mockito.ArgumentMatchers.anyString(), any(byte[].class))).thenReturn(new ModuleInfo(Abi.KAMI_V1, List.of("kami.output"),
                List.of("memory", "kami_alloc", "kami_run"), 1, -1, false));
        when(engine.compile(any())).thenReturn(module);
        // the core compiles through the code-cache overload; the fake has no cache and delegates
        when(engine.compile(any(), any())).thenAnswer(a -> engine.compile((dev.kami.spi.ModuleSource) a.getArgument(0)));
        when(module.estimatedSizeBytes()).thenReturn(1000L);
        when(module.invoke(any())).thenAnswer(a -> behaviour.get().apply(a.getArgument(0)));
    }

    @AfterEach
    void close() {
        if (kami != null) {
            kami.close();
        }
    }

    private Kami kami(HostPolicy policy) {
        kami = Kami.builder().engine(engine).inMemory().policy(policy).environment(Map.of("HOME", "/home/k", "SECRET", "s"))
                .build();
        return kami;
    }

    static Path pkg(Path root, String id, String version, String security) throws IOException {
        Path p = root.resolve(id + "-" + version);
        Files.createDirectories(p);
        Files.writeString(p.resolve("tool.toml"), """
                [tool]
                id = "%s"
                name = "t"
                version = "%s"
                wasm = "t.wasm"

                [mcp]
                description = "A test tool"
                [[mcp.arguments]]
                name = "message"
                type = "string"
                required = false

                %s
                """.formatted(id, version, security));
        Files.write(p.resolve("t.wasm"), ("module " + id + " " + version).getBytes(StandardCharsets.UTF_8));
        return p;
    }

    @Test
    void loadAllCompilesEveryEnabledToolBeforeTheFirstCall() throws IOException {
        dev.kami.core.store.InMemoryToolStore shared = new dev.kami.core.store.InMemoryToolStore();
        try (Kami first = Kami.builder().engine(engine).store(shared).build();
                Kami serving = Kami.builder().engine(engine).store(shared).build()) {
            first.install(pkg(dir, "dev.kami.a", "1.0.0", ""));
            first.install(pkg(dir, "dev.kami.b", "1.0.0", ""));
            first.install(pkg(dir, "dev.kami.off", "1.0.0", ""));
            first.disable("dev.kami.off");
            org.mockito.Mockito.clearInvocations(engine);
            assertThat(serving.loadAll()).isEmpty();
            assertThat(serving.metrics().compilations()).isEqualTo(2);
            org.mockito.Mockito.verify(engine, org.mockito.Mockito.times(2)).compile(any());
            assertThat(serving.call("dev.kami.a", "{}").isError()).isFalse();
            assertThat(serving.call("dev.kami.b", "{}").isError()).isFalse();
            assertThat(serving.metrics().compilations()).as("no compile on the first calls").isEqualTo(2);
        }
    }

    @Test
    void loadAllReportsAToolTheEngineCannotCompileAndLoadsTheOthers() throws IOException {
        dev.kami.core.store.InMemoryToolStore shared = new dev.kami.core.store.InMemoryToolStore();
        try (Kami first = Kami.builder().engine(engine).store(shared).build();
                Kami serving = Kami.builder().engine(engine).store(shared).build()) {
            first.install(pkg(dir, "dev.kami.a", "1.0.0", ""));
            first.install(pkg(dir, "dev.kami.b", "1.0.0", ""));
            when(engine.compile(org.mockito.ArgumentMatchers.argThat(src -> src != null
                    && src.toolId().equals("dev.kami.b"))))
                    .thenThrow(new dev.kami.ModuleRejectedException("module of tool dev.kami.b has too many functions"));
            assertThat(serving.loadAll()).containsExactly(new dev.kami.BrokenTool("dev.kami.b", "1.0.0",
                    "module of tool dev.kami.b has too many functions"));
            assertThat(serving.call("dev.kami.a", "{}").isError()).isFalse();
        }
    }

    @Test
    void installListAndCallByIdOrMcpName() throws IOException {
        kami(HostPolicy.defaults());
        InstalledTool t = kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        assertThat(t.id().value()).isEqualTo("dev.kami.echo");
        assertThat(t.mcpName()).isEqualTo("dev_kami_echo");
        assertThat(t.abi()).isEqualTo(Abi.KAMI_V1);
        assertThat(t.enabled()).isTrue();
        assertThat(t.record().moduleSha256()).hasSize(64);
        assertThat(kami.list()).extracting(x -> x.id().value()).containsExactly("dev.kami.echo");

        ToolResult r = kami.call("dev.kami.echo", "{\"message\":\"hi\"}");
        assertThat(r.isError()).isFalse();
        assertThat(r.text()).isEqualTo("{\"message\":\"hi\"}");
        assertThat(r.structuredJson()).isEqualTo("{\"message\":\"hi\"}");
        assertThat(r.timings().total()).isPositive();
        assertThat(kami.call("dev_kami_echo", "{\"message\":\"again\"}").text()).contains("again");
        verify(engine, times(1)).compile(any());
    }

    @Test
    void plainTextOutputHasNoStructuredContent() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        behaviour.set(inv -> EngineResult.success("{not json".getBytes(StandardCharsets.UTF_8), List.of(), -1));
        ToolResult r = kami.call("dev.kami.echo", "{}");
        assertThat(r.text()).isEqualTo("{not json");
        assertThat(r.hasStructuredContent()).isFalse();
        behaviour.set(inv -> EngineResult.success(new byte[] {(byte) 0xC3, 0x28}, List.of(), -1));
        assertThat(kami.call("dev.kami.echo", "{}").errorKind()).isEqualTo(ToolErrorKind.INVALID_OUTPUT);
    }

    @Test
    void unknownAndDisabledToolsAreRefusedWithWhatToDo() throws IOException {
        kami(HostPolicy.defaults());
        assertThatThrownBy(() -> kami.call("dev.kami.nope", "{}"))
                .isInstanceOf(ToolNotFoundException.class)
                .hasMessageStartingWith("no tool 'dev.kami.nope' is installed; see the installed tools with 'kami list'");
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        kami.disable("dev.kami.echo");
        assertThat(kami.tool("dev.kami.echo").enabled()).isFalse();
        assertThatThrownBy(() -> kami.call("dev.kami.echo", "{}"))
                .isInstanceOf(ToolNotFoundException.class)
                .hasMessage("tool dev.kami.echo is disabled; enable it with 'kami enable dev.kami.echo'");
        kami.enable("dev_kami_echo");
        assertThat(kami.call("dev.kami.echo", "{}").isError()).isFalse();
    }

    @Test
    void anUnknownToolSuggestsTheClosestInstalledIdsOrMcpNames() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        assertThatThrownBy(() -> kami.call("dev.kami.ecoh", "{}"))
                .isInstanceOf(ToolNotFoundException.class)
                .hasMessageStartingWith("no tool 'dev.kami.ecoh' is installed; did you mean dev.kami.echo? See the"
                        + " installed tools with 'kami list'");
        assertThatThrownBy(() -> kami.tool("dev_kami_ehco"))
                .hasMessageStartingWith("no tool 'dev_kami_ehco' is installed; did you mean dev_kami_echo?");
        assertThatThrownBy(() -> kami.tool("echo")).hasMessageContaining("did you mean dev.kami.echo?");
        assertThatThrownBy(() -> kami.tool("org.other.thing"))
                .hasMessageStartingWith("no tool 'org.other.thing' is installed; see the installed tools");
    }

    @Test
    void suggestionsCountASwapAsOneEdit() {
        assertThat(Suggestions.distance("lsit", "list")).isEqualTo(1);
        assertThat(Suggestions.distance("lsit", "init")).isEqualTo(2);
        assertThat(Suggestions.closest("lsit", List.of("init", "install", "list", "inspect"), 2))
                .containsExactly("list");
        assertThat(Suggestions.closest("zzzzzz", List.of("init", "list"), 2)).isEmpty();
        assertThat(Suggestions.closest("dev.kami.ech", List.of("dev.kami.echo", "dev.kami.each", "dev.kami.sha256"), 3))
                .containsExactly("dev.kami.each", "dev.kami.echo");
    }

    @Test
    void invalidArgumentsAreAToolErrorNotAnException() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        ToolResult r = kami.call("dev.kami.echo", "{oops");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.text()).startsWith("arguments to dev.kami.echo are not valid JSON");
        assertThat(kami.call("dev.kami.echo", "[1]").text()).isEqualTo(
                "arguments to dev.kami.echo must be a JSON object such as {\"message\":\"hi\"}, got ARRAY");
    }

    @Test
    void argumentsAreValidatedAgainstTheInputSchemaBeforeTheToolRuns() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.strict", "1.0.0", "");
        Files.writeString(p.resolve("tool.toml"), Files.readString(p.resolve("tool.toml")).replace("required = false",
                "required = true\n[[mcp.arguments]]\nname = \"count\"\ntype = \"integer\""));
        kami.install(p);
        ToolResult missing = kami.call("dev.kami.strict", "{\"count\":2}");
        assertThat(missing.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(missing.text()).startsWith("arguments to dev.kami.strict do not match its input schema: ")
                .contains("message").endsWith("Call it again with arguments that fit the schema (tools/list shows it)");
        ToolResult wrongType = kami.call("dev.kami.strict", "{\"message\":\"m\",\"count\":\"two\"}");
        assertThat(wrongType.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(wrongType.text()).contains("count").contains("integer");
        verify(module, times(0)).invoke(any());
        assertThat(kami.call("dev.kami.strict", "{\"message\":\"m\",\"count\":2}").isError()).isFalse();
    }

    @Test
    void aSchemaThatCannotBeCompiledIsRefusedAtInstall() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.badschema", "1.0.0", "");
        String toml = Files.readString(p.resolve("tool.toml"));
        toml = toml.substring(0, toml.indexOf("[[mcp.arguments]]"))
                + "input_schema = '{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"[\"}}}'\n";
        Files.writeString(p.resolve("tool.toml"), toml);
        assertThatThrownBy(() -> kami.install(p))
                .isInstanceOf(dev.kami.ManifestException.class)
                .hasMessageContaining("key 'mcp.input_schema': is not a usable JSON Schema");
        assertThat(kami.list()).isEmpty();
    }

    @Test
    void toolErrorsCarryTheGuestMessage() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        behaviour.set(inv -> new EngineResult(ToolErrorKind.TOOL_ERROR, "unknown action 'x'".getBytes(StandardCharsets.UTF_8),
                "tool dev.kami.echo failed", List.of(), -1));
        ToolResult r = kami.call("dev.kami.echo", "{}");
        assertThat(r.isError()).isTrue();
        assertThat(r.text()).isEqualTo("unknown action 'x'");
        assertThatThrownBy(r::orThrow).hasMessage("unknown action 'x'");
    }

    @Test
    void reinstallNeedsForceAndOtherVersionsNeedUpdate() throws IOException {
        kami(HostPolicy.defaults());
        Path v1 = pkg(dir, "dev.kami.echo", "1.0.0", "");
        kami.install(v1);
        assertThatThrownBy(() -> kami.install(v1))
                .isInstanceOf(ToolConflictException.class)
                .hasMessage("tool dev.kami.echo version 1.0.0 is already installed; reinstall with force: InstallOptions.defaults().withForce(true) in Java, kami install --force on the command line");
        Path v2 = pkg(dir, "dev.kami.echo", "2.0.0", "");
        assertThatThrownBy(() -> kami.install(v2.toString(), InstallOptions.defaults()))
                .isInstanceOf(ToolConflictException.class)
                .hasMessageContaining("is installed at version 1.0.0; to install 2.0.0 use update");
        kami.install(v1.toString(), InstallOptions.defaults().withForce(true));
        assertThat(kami.update("dev.kami.echo", v2.toString(), null).manifest().version().toString()).isEqualTo("2.0.0");
        assertThat(kami.update("dev.kami.echo", v1.toString(), null).manifest().version().toString())
                .as("an older version is not an update").isEqualTo("2.0.0");
    }

    @Test
    void theRecordedSourceCanBeGivenByTheHost() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.echo", "1.0.0", "");
        assertThat(kami.install(p.toString(), InstallOptions.defaults().withSource("https://example.org/echo.zip"))
                .record().source()).isEqualTo("https://example.org/echo.zip");
        Path v2 = pkg(dir, "dev.kami.echo", "2.0.0", "");
        assertThat(kami.update("dev.kami.echo", v2.toString(), null).record().source()).isEqualTo(v2.toString());
    }

    @Test
    void pinHoldsUpdates() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        kami.pin("dev.kami.echo", "1.0.0");
        assertThat(kami.tool("dev.kami.echo").record().pinnedVersion()).isEqualTo("1.0.0");
        Path v2 = pkg(dir, "dev.kami.echo", "2.0.0", "");
        assertThatThrownBy(() -> kami.update("dev.kami.echo", v2.toString(), null))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessage("tool dev.kami.echo is pinned at version 1.0.0; the package has 2.0.0. Unpin it first (kami pin --unpin dev.kami.echo)");
        assertThatThrownBy(() -> kami.pin("dev.kami.echo", "latest")).hasMessageContaining("version 'latest' is not SemVer 2.0");
        kami.pin("dev.kami.echo", null);
        assertThat(kami.update("dev.kami.echo", v2.toString(), null).manifest().version().toString()).isEqualTo("2.0.0");
    }

    @Test
    void requestBeyondTheCeilingInstallsNothing() throws IOException {
        kami(HostPolicy.builder().maxMemoryMb(32).allowHosts("api.github.com").build());
        Path p = pkg(dir, "dev.kami.fetch", "1.0.0", "[security]\nmax_memory_mb = 64\nnet_allow_list = [\"*\"]\n");
        assertThatThrownBy(() -> kami.install(p))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("max_memory_mb = 64 (ceiling 32); net_allow_list host \"*\" (allowed: api.github.com)");
        assertThat(kami.list()).isEmpty();
    }

    @Test
    void moduleWhoseMinimumMemoryExceedsTheCapIsRefused() throws IOException {
        when(engine.inspect(org.mockito.ArgumentMatchers.anyString(), any(byte[].class))).thenReturn(new ModuleInfo(Abi.KAMI_V1, List.of(), List.of(), 2048, -1, false));
        kami(HostPolicy.defaults());
        assertThatThrownBy(() -> kami.install(pkg(dir, "dev.kami.big", "1.0.0", "[security]\nmax_memory_mb = 16\n")))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessage("module of tool dev.kami.big declares 2048 pages (128 MiB) of initial memory, above its max_memory_mb = 16; raise max_memory_mb or shrink the module's memory");
        assertThat(kami.list()).isEmpty();
    }

    @Test
    void declaredAbiMustMatchTheModule() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.echo", "1.0.0", "");
        Files.writeString(p.resolve("tool.toml"), Files.readString(p.resolve("tool.toml"))
                .replace("wasm = \"t.wasm\"", "wasm = \"t.wasm\"\nabi = \"wasi-command\""));
        assertThatThrownBy(() -> kami.install(p))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessage("tool dev.kami.echo declares abi = \"wasi-command\" but its module implements kami-v1; fix [tool] abi or rebuild the module");
    }

    @Test
    void grantsChangeWhatACallGetsWithoutReinstalling() throws IOException {
        kami(HostPolicy.builder().allowEnv("HOME", "SECRET").build());
        kami.install(pkg(dir, "dev.kami.env", "1.0.0", "[security]\nenv_allow_list = [\"HOME\", \"SECRET\"]\nnet_allow_list = [\"*.example.org\"]\n"));
        ArgumentCaptor<Invocation> inv = ArgumentCaptor.forClass(Invocation.class);
        kami.call("dev.kami.env", "{}");
        verify(module, times(1)).invoke(inv.capture());
        assertThat(inv.getValue().environment()).containsOnlyKeys("HOME", "SECRET");
        assertThat(inv.getValue().permissions().netAllowList()).containsExactly("*.example.org");

        Grants g = kami.revoke("dev.kami.env", Permission.parse("env:SECRET"), Permission.parse("net:*.example.org"));
        assertThat(g.envAllowList()).containsExactly("HOME");
        kami.grant("dev.kami.env", Permission.parse("net:api.example.org"));
        kami.call("dev.kami.env", "{}");
        verify(module, times(2)).invoke(inv.capture());
        assertThat(inv.getValue().environment()).containsExactly(Map.entry("HOME", "/home/k"));
        assertThat(inv.getValue().permissions().netAllowList()).containsExactly("api.example.org");
        assertThat(kami.tool("dev.kami.env").effective().netAllowList()).containsExactly("api.example.org");
    }

    @Test
    void installWithExplicitGrantsGrantsOnlyThose() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.fs", "1.0.0", "[security]\nfs_access = \"sandbox\"\nnet_allow_list = [\"*\"]\n");
        InstalledTool t = kami.install(p.toString(), InstallOptions.defaults().withGrants(Grants.none()));
        assertThat(t.effective().fsAccess()).isEqualTo(FsAccess.NONE);
        assertThat(t.effective().netAllowList()).isEmpty();
        assertThat(kami.tool("dev.kami.fs").manifest().security().fsAccess()).isEqualTo(FsAccess.SANDBOX);
    }

    @Test
    void tamperedBlobIsRefusedWithBothDigests() throws IOException {
        InMemoryToolStore store = new InMemoryToolStore();
        kami = Kami.builder().engine(engine).store(store).build();
        InstalledTool t = kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        String recorded = t.record().moduleSha256();
        store.corruptBlobForTesting(recorded, "evil".getBytes(StandardCharsets.UTF_8));
        // a second node on the same registry: nothing compiled yet, so it loads and checks the blob
        try (Kami node = Kami.builder().engine(engine).store(store).build()) {
            assertThatThrownBy(() -> node.call("dev.kami.echo", "{}"))
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("but " + recorded + " was recorded at install");
        }
    }

    @Test
    void verifyChecksTheStoredDigest() throws IOException {
        InMemoryToolStore store = new InMemoryToolStore();
        kami = Kami.builder().engine(engine).store(store).build();
        InstalledTool t = kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        assertThat(kami.verify("dev.kami.echo").id()).isEqualTo(t.id());
        String recorded = t.record().moduleSha256();
        store.corruptBlobForTesting(recorded, "evil".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> kami.verify("dev.kami.echo"))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("the stored module of tool dev.kami.echo was changed: its SHA-256 is")
                .hasMessageContaining("but " + recorded + " was recorded at install");
    }

    @Test
    void timeoutEndsALoopingCallAndTheNextCallWorks() throws IOException {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.loop", "1.0.0", "[security]\nmax_execution_ms = 200\n"));
        behaviour.set(inv -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return EngineResult.failure(inv.remainingNanos() <= 0 ? ToolErrorKind.TIMEOUT : ToolErrorKind.CANCELLED,
                        "interrupted", List.of());
            }
            return EngineResult.success(new byte[0], List.of(), -1);
        });
        long t0 = System.nanoTime();
        ToolResult r = kami.call("dev.kami.loop", "{}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
        ToolResult shorter = kami.call("dev.kami.loop", "{}", CallOptions.defaults().withTimeout(Duration.ofMillis(50)));
        assertThat(shorter.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        behaviour.set(inv -> EngineResult.success("ok".getBytes(StandardCharsets.UTF_8), List.of(), -1));
        assertThat(kami.call("dev.kami.loop", "{}").text()).isEqualTo("ok");
        MetricsSnapshot m = kami.metrics();
        assertThat(m.tools().get("dev.kami.loop").calls()).isEqualTo(3);
        assertThat(m.tools().get("dev.kami.loop").errorsByKind()).containsEntry(ToolErrorKind.TIMEOUT, 2L);
        assertThat(m.compilations()).isEqualTo(1);
    }

    @Test
    void compilingOnAFreshNodeDoesNotEatTheToolsDeadline() throws IOException {
        Path p = pkg(dir, "dev.kami.quick", "1.0.0", "[security]\nmax_execution_ms = 100\n");
        InMemoryToolStore shared = new InMemoryToolStore();
        kami = Kami.builder().engine(engine).store(shared).build();
        kami.install(p); // node A compiles at install
        when(engine.compile(any())).thenAnswer(a -> {
            Thread.sleep(400); // node B's first compile: four times the tool's deadline
            return module;
        });
        try (Kami nodeB = Kami.builder().engine(engine).store(shared).build()) {
            ToolResult r = nodeB.call("dev.kami.quick", "{}");
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.timings().compile()).isGreaterThanOrEqualTo(Duration.ofMillis(350));
        }
    }

    @Test
    void cancellationInterruptsTheCall() throws Exception {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.loop", "1.0.0", ""));
        CountDownLatch started = new CountDownLatch(1);
        behaviour.set(inv -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return EngineResult.failure(ToolErrorKind.CANCELLED, "call cancelled", List.of());
            }
            return EngineResult.success(new byte[0], List.of(), -1);
        });
        CancellationToken token = new CancellationToken();
        CompletableFuture<ToolResult> f = kami.callAsync("dev.kami.loop", "{}", CallOptions.defaults().withCancellation(token));
        started.await();
        token.cancel();
        assertThat(f.get(5, TimeUnit.SECONDS).errorKind()).isEqualTo(ToolErrorKind.CANCELLED);
    }

    @Test
    void saturationIsABusyErrorAndNothingIsLost() throws Exception {
        kami = Kami.builder().engine(engine).inMemory().workers(1).queueCapacity(0).build();
        kami.install(pkg(dir, "dev.kami.slow", "1.0.0", ""));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        behaviour.set(inv -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return EngineResult.success("done".getBytes(StandardCharsets.UTF_8), List.of(), -1);
        });
        CompletableFuture<ToolResult> first = kami.callAsync("dev.kami.slow", "{}", null);
        started.await();
        assertThatThrownBy(() -> kami.call("dev.kami.slow", "{}"))
                .isInstanceOf(BusyException.class)
                .hasMessageStartingWith("KAMI is busy: 1 workers and 0 queue slots are all taken");
        release.countDown();
        assertThat(first.get().text()).isEqualTo("done");
        assertThat(kami.metrics().rejected()).isEqualTo(1);
    }

    @Test
    void listenersSeeToolChangesAndCalls() throws IOException {
        List<String> events = new CopyOnWriteArrayList<>();
        kami = Kami.builder().engine(engine).inMemory().listener(new KamiListener() {
            @Override
            public void toolsChanged(ToolChange change) {
                events.add(change.kind() + " " + change.id());
            }

            @Override
            public void callFinished(String toolId, ToolResult result) {
                events.add("call " + toolId);
            }

            @Override
            public void moduleCompiled(String sha256, Duration took) {
                events.add("compiled");
            }
        }).build();
        kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        kami.call("dev.kami.echo", "{}");
        kami.disable("dev.kami.echo");
        kami.enable("dev.kami.echo");
        kami.grant("dev.kami.echo", Permission.parse("fs:sandbox"));
        assertThat(kami.uninstall("dev.kami.echo")).isTrue();
        assertThat(kami.uninstall("dev.kami.echo")).isFalse();
        assertThat(events).containsExactly("compiled", "INSTALLED dev.kami.echo", "call dev.kami.echo",
                "DISABLED dev.kami.echo", "ENABLED dev.kami.echo", "GRANTS_CHANGED dev.kami.echo", "REMOVED dev.kami.echo");
    }

    @Test
    void aSecondNodeHearsOfToolsInstalledThroughTheFirst() throws Exception {
        InMemoryToolStore shared = new InMemoryToolStore();
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch installed = new CountDownLatch(1);
        try (Kami b = Kami.builder().engine(engine).store(shared).listener(new KamiListener() {
            @Override
            public void toolsChanged(ToolChange change) {
                heard.add(change.kind() + " " + change.id());
                installed.countDown();
            }
        }).build()) {
            kami = Kami.builder().engine(engine).store(shared).build();
            kami.install(pkg(dir, "dev.kami.echo", "1.0.0", ""));
            assertThat(installed.await(10, TimeUnit.SECONDS)).as("node B heard of the install").isTrue();
            assertThat(heard).containsExactly("INSTALLED dev.kami.echo");
            assertThat(b.list()).extracting(t -> t.id().value()).containsExactly("dev.kami.echo");
            assertThat(b.call("dev.kami.echo", "{\"message\":\"via b\"}").text()).contains("via b");
            kami.disable("dev.kami.echo");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!heard.contains("DISABLED dev.kami.echo") && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(heard).contains("DISABLED dev.kami.echo");
            assertThatThrownBy(() -> b.call("dev.kami.echo", "{}")).isInstanceOf(ToolNotFoundException.class);
            kami.close(); // closes the shared store; b must still close cleanly
            kami = null;
        }
    }

    @Test
    void closeIsIdempotentDrainsAndRefusesLaterUse() throws Exception {
        kami(HostPolicy.defaults());
        kami.install(pkg(dir, "dev.kami.slow", "1.0.0", ""));
        CountDownLatch started = new CountDownLatch(1);
        behaviour.set(inv -> {
            started.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return EngineResult.success("drained".getBytes(StandardCharsets.UTF_8), List.of(), -1);
        });
        CompletableFuture<ToolResult> f = kami.callAsync("dev.kami.slow", "{}", null);
        started.await();
        kami.close();
        assertThat(f.get().text()).isEqualTo("drained");
        kami.close();
        assertThatThrownBy(() -> kami.call("dev.kami.slow", "{}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this Kami is closed; build a new one with Kami.builder()");
        verify(engine, times(1)).close();
    }

    @Test
    void serveFindsTheTransportByIdAndCloseStopsIt() {
        kami(HostPolicy.defaults());
        dev.kami.spi.Server server = kami.serve("recording", dev.kami.spi.TransportConfig.of(Map.of("name", "s1")));
        assertThat(server.address()).isEqualTo("recording:s1");
        assertThatThrownBy(() -> kami.serve("smoke-signals", null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("No KAMI transport with id 'smoke-signals'; found: recording (");
        RecordingTransportProvider.RecordingServer started = RecordingTransportProvider.STARTED.stream()
                .filter(s -> s.name.equals("s1")).findFirst().orElseThrow();
        assertThat(started.closed.getCount()).isEqualTo(1);
        kami.close();
        assertThat(started.closed.getCount()).as("Kami.close() stopped the server it started").isZero();
    }

    @Test
    void runsAPackageOrABareModuleWithoutInstalling() throws IOException {
        kami(HostPolicy.defaults());
        Path p = pkg(dir, "dev.kami.echo", "1.0.0", "");
        assertThat(kami.run(p, "{\"a\":1}", null).text()).isEqualTo("{\"a\":1}");
        ArgumentCaptor<Invocation> inv = ArgumentCaptor.forClass(Invocation.class);
        assertThat(kami.run(p.resolve("t.wasm"), "{}", null).isError()).isFalse();
        verify(module, times(2)).invoke(inv.capture());
        assertThat(inv.getValue().toolId()).isEqualTo("run:t.wasm");
        assertThat(inv.getValue().permissions().netAllowList()).isEmpty();
        assertThat(kami.list()).isEmpty();
    }

    @Test
    void validateChecksWithoutInstalling() throws IOException {
        kami(HostPolicy.defaults());
        InstalledTool t = kami.validate(pkg(dir, "dev.kami.echo", "1.0.0", ""));
        assertThat(t.id().value()).isEqualTo("dev.kami.echo");
        assertThat(kami.list()).isEmpty();
    }

    @Test
    void buildWithoutAnEngineOnTheClasspathSaysWhatToAdd() {
        assertThatThrownBy(() -> Kami.builder().inMemory().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No KAMI engine found; add dev.kami:kami-wasm-chicory to the classpath, or call Kami.builder().engine(..)");
        assertThatThrownBy(() -> Kami.builder().engine(engine).store("jdbc").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("No KAMI store with id 'jdbc'; found: none.");
        assertThatThrownBy(() -> Kami.builder().engine(engine).engine("chicory").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("both an engine instance and engine id 'chicory' were given; keep one");
    }

    @Test
    void builderSettersValidateAtOnce() {
        assertThatThrownBy(() -> Kami.builder().workers(0)).hasMessage("workers must be in [1, 4096], got 0");
        assertThatThrownBy(() -> Kami.builder().threadStackSize(1024)).hasMessage("threadStackSize must be at least 256 KiB, got 1024");
        assertThatThrownBy(() -> Kami.builder().queueTimeout(Duration.ofSeconds(-1))).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> Kami.builder().engine(" ")).hasMessage("engine id must not be blank");
    }

    @Test
    void engineDescriptionSaysWhetherFuelIsEnforced() {
        kami(HostPolicy.defaults());
        assertThat(kami.engineDescription()).isEqualTo("fake (compiled, fuel not enforced)");
    }

    @Test
    void callAsyncFailsOnlyForHostRefusals() {
        kami(HostPolicy.defaults());
        CompletableFuture<ToolResult> f = kami.callAsync("dev.kami.none", "{}", null);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ToolNotFoundException.class);
    }
}
