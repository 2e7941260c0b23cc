package dev.kami;

import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import dev.kami.spi.KamiFactory;
import dev.kami.spi.KamiSettings;
import dev.kami.spi.Server;
import dev.kami.spi.ToolEngine;
import dev.kami.spi.ToolStore;
import dev.kami.spi.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * KAMI: runs untrusted WebAssembly tools in a capability sandbox, keeps them in a verified
 * registry, and serves them to agents over MCP.
 *
 * <pre>{@code
 * try (Kami kami = Kami.builder()
 *         .policy(HostPolicy.builder().maxMemoryMb(128).allowHosts("api.github.com").build())
 *         .build()) {
 *     kami.install(Path.of("samples/tools/echo"));
 *     ToolResult r = kami.call("dev.kami.echo", "{\"message\":\"hi\"}");
 *     answer(r.isError() ? "failed: " + r.text() : r.text());
 * }
 * }</pre>
 *
 * <p>Thread-safe. Tools are named by id ({@code dev.kami.echo}) or MCP name
 * ({@code dev_kami_echo}) wherever a {@code tool} parameter appears. {@link #close()} is
 * idempotent, waits for running calls, and any use after it throws
 * {@link IllegalStateException}.
 */
public interface Kami extends AutoCloseable {

    /** @return a builder with the embedded defaults (Chicory engine, SQLite at {@code $KAMI_HOME/registry.db}) */
    static Builder builder() {
        return new Builder();
    }

    // ---- registry -------------------------------------------------------------------------

    /**
     * Installs a package: a directory or {@code .zip} holding {@code tool.toml} and its module,
     * and grants what the tool requests (within the policy ceiling).
     *
     * @throws ManifestException if {@code tool.toml} is refused
     * @throws ModuleRejectedException if the module cannot be loaded
     * @throws PolicyViolationException if the request exceeds the ceiling
     * @throws SignatureException if signatures are required and missing or not trusted
     * @throws ToolConflictException if the id and version, or the MCP name, are taken
     * @throws InstallException if the package cannot be read
     */
    InstalledTool install(Path packagePath);

    /**
     * Installs from a directory, a {@code .zip}, an {@code https://} URL of a zip, or GitHub
     * shorthand {@code owner/repo@tag}. An install is one transaction: on any failure nothing is
     * left.
     *
     * @throws KamiException subtypes as {@link #install(Path)}
     */
    InstalledTool install(String source, InstallOptions options);

    /**
     * Replaces an installed tool by the package at {@code source} if its version is newer (or
     * equal, with {@code options.force()}), respecting a pin.
     *
     * @return the tool after the update (unchanged when nothing newer was found)
     * @throws ToolNotFoundException if the tool is not installed
     * @throws PolicyViolationException if the tool is pinned to another version
     */
    InstalledTool update(String tool, String source, InstallOptions options);

    /**
     * Checks a package as {@link #install(Path)} would (manifest, module, ABI, imports, policy,
     * signature) without installing it.
     *
     * @return what would be installed
     */
    InstalledTool validate(Path packagePath);

    /**
     * @return every installed tool that can be served, ordered by id; a tool whose registry row
     *     is damaged is left out and reported by {@link #broken()} instead
     */
    List<InstalledTool> list();

    /**
     * The installed tools that are quarantined because their registry row is damaged (manifest,
     * grants or module unreadable, module digest or signature no longer matching). They are never
     * served; uninstall them or reinstall them with force.
     *
     * @return the broken tools with the reason, ordered by id; empty when every tool is sound
     */
    default List<BrokenTool> broken() {
        return List.of();
    }

    /**
     * Loads and compiles every installed, enabled tool now, so that the first call to each costs
     * no compilation; a server calls it before it reports ready. A tool that cannot be loaded is
     * left out of service (and logged); the others are loaded.
     *
     * @return the tools that could not be loaded, with the reason (broken ones included)
     */
    default List<BrokenTool> loadAll() {
        return broken();
    }

    /**
     * @return the tool with this id or MCP name; empty when none is installed or when it is
     *     quarantined ({@link #broken()}; {@link #tool(String)} says why)
     */
    Optional<InstalledTool> find(String tool);

    /**
     * @return the tool with this id or MCP name
     * @throws ToolNotFoundException if none is installed
     * @throws IntegrityException if it is quarantined, with the reason ({@link #broken()})
     */
    InstalledTool tool(String tool);

    /**
     * The world an installed component tool implements ({@code kami inspect}): its imported and
     * exported interfaces with their resources, types and functions, as WIT-like text, read from
     * the stored module after its digest and signature are checked.
     *
     * @param tool the tool's id or MCP name
     * @return the world, or empty when the tool's module is a core module (no world)
     * @throws ToolNotFoundException if none is installed
     * @throws IntegrityException if it is quarantined, with the reason ({@link #broken()})
     */
    default Optional<String> world(String tool) {
        tool(tool);
        return Optional.empty();
    }

    /**
     * Uninstalls a tool; its module blob goes when no other tool refers to it.
     *
     * @return whether a tool was removed
     */
    boolean uninstall(String tool);

    /** Allows calls again. @throws ToolNotFoundException if not installed */
    void enable(String tool);

    /** Refuses further calls until enabled. @throws ToolNotFoundException if not installed */
    void disable(String tool);

    /**
     * Holds updates at {@code version}, or unpins with {@code null}.
     *
     * @throws ToolNotFoundException if not installed
     */
    void pin(String tool, String version);

    /**
     * Adds permissions (at runtime, no reinstall); the effective set stays within the tool's
     * request and the policy ceiling.
     *
     * @return the grants after the change
     * @throws PolicyViolationException if a permission cannot work, with the reason: a
     *     {@code fs:read-only} directory that is missing, not a directory or not readable, or a
     *     mode, host or variable beyond the host policy's ceiling
     */
    Grants grant(String tool, Permission... permissions);

    /** @return the grants after removing these permissions */
    Grants revoke(String tool, Permission... permissions);

    /**
     * Checks the stored module's SHA-256 against the recorded one and, when signed, its signature.
     *
     * @return the tool, verified
     * @throws IntegrityException if the digest differs (both digests in the message)
     * @throws SignatureException if the signature does not verify
     */
    InstalledTool verify(String tool);

    /**
     * Verifies a tool as {@link #verify(String)} does and says what its signature covers.
     *
     * @return what the verified signature covers ({@link SignatureCoverage#UNSIGNED} when unsigned)
     * @throws IntegrityException if the digest differs
     * @throws SignatureException if the signature does not verify (the changed fields named)
     */
    default SignatureCoverage signatureCoverage(String tool) {
        throw new UnsupportedOperationException("this Kami does not report signature coverage");
    }

    // ---- calls ----------------------------------------------------------------------------

    /**
     * Calls a tool with JSON arguments and waits for the result. Tool failures come back as a
     * result with {@link ToolResult#isError()}; only host-side refusals throw.
     *
     * @throws ToolNotFoundException if no enabled tool has this id or MCP name
     * @throws BusyException if no worker freed up within the queue wait bound
     * @throws IntegrityException if the stored module was tampered with
     */
    default ToolResult call(String tool, String argumentsJson) {
        return call(tool, argumentsJson, CallOptions.defaults());
    }

    /** As {@link #call(String, String)}, with a deadline and a cancellation token. */
    ToolResult call(String tool, String argumentsJson, CallOptions options);

    /**
     * Starts a call and returns at once. The future completes with the result; it completes
     * exceptionally only for the refusals {@link #call} throws.
     */
    CompletableFuture<ToolResult> callAsync(String tool, String argumentsJson, CallOptions options);

    /**
     * Runs a package directory or a bare {@code .wasm} without installing it, under the host
     * policy with the tool's request granted (a bare module gets deny-all permissions).
     */
    ToolResult run(Path packageOrWasm, String argumentsJson, CallOptions options);

    // ---- serving and observing ----------------------------------------------------------

    /**
     * Serves the tools over a transport found by id ({@code "stdio"} or {@code "http"} from
     * {@code kami-mcp}).
     *
     * @throws ConfigurationException if no transport has this id
     */
    Server serve(String transportId, TransportConfig config);

    /** @return a listener registration; close it to stop listening */
    Registration subscribe(KamiListener listener);

    /** @return counters and latency percentiles now */
    MetricsSnapshot metrics();

    /** @return the host policy ceiling */
    HostPolicy policy();

    /** @return the engine's id and whether it enforces fuel, e.g. {@code "chicory (compiled, fuel not enforced)"} */
    String engineDescription();

    /**
     * Stops the servers started with {@link #serve}, stops accepting calls, waits for running
     * ones, closes engine and store. Idempotent.
     */
    @Override
    void close();

    /**
     * Builds a {@link Kami}. Setters validate at once; {@link #build()} resolves the providers:
     * an instance given here, then an id given here or as a system property
     * ({@code kami.engine}, {@code kami.store}), then {@code ServiceLoader}. Not thread-safe.
     */
    final class Builder {
        private ToolEngine engine;
        private String engineId;
        private final Map<String, String> engineOptions = new LinkedHashMap<>();
        private ToolStore store;
        private String storeId;
        private String storeUrl;
        private final Map<String, String> storeOptions = new LinkedHashMap<>();
        private Path home;
        private HostPolicy policy = HostPolicy.defaults();
        private int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int queueCapacity = 256;
        private Duration queueTimeout = Duration.ofSeconds(30);
        private long threadStackBytes = 16L * 1024 * 1024;
        private int cacheMaxEntries = 100_000;
        private long cacheMaxBytes = 512L * 1024 * 1024;
        private final List<KamiListener> listeners = new ArrayList<>();
        private Map<String, String> environment;

        private Builder() {
        }

        /** Uses this engine instance (closed by {@link Kami#close()}). */
        public Builder engine(ToolEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** Uses the engine provider with this id ({@code "chicory"}). */
        public Builder engine(String providerId) {
            this.engineId = requireText(providerId, "engine id");
            return this;
        }

        /** Sets an engine option, e.g. {@code engineOption("mode", "interpreter")}. */
        public Builder engineOption(String name, String value) {
            engineOptions.put(requireText(name, "option name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Uses this store instance (closed by {@link Kami#close()}). */
        public Builder store(ToolStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Uses the store provider with this id ({@code "jdbc"}, or {@code "memory"}). */
        public Builder store(String providerId) {
            this.storeId = requireText(providerId, "store id");
            return this;
        }

        /** Opens the store at this location, e.g. {@code jdbc:postgresql://db/kami}. */
        public Builder storeUrl(String url) {
            this.storeUrl = requireText(url, "store url");
            return this;
        }

        /** Sets a store option. */
        public Builder storeOption(String name, String value) {
            storeOptions.put(requireText(name, "option name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Keeps the registry in memory only (tests, one-off runs). */
        public Builder inMemory() {
            this.storeId = "memory";
            return this;
        }

        /** The KAMI home directory (default: {@code KAMI_HOME}, else {@code ~/.kami}). */
        public Builder home(Path dir) {
            this.home = Objects.requireNonNull(dir, "home");
            return this;
        }

        /** The host policy ceiling (default {@link HostPolicy#defaults()}). */
        public Builder policy(HostPolicy p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        /** Worker threads running calls (default: cores, at least 2). */
        public Builder workers(int n) {
            this.workers = requireRange(n, 1, 4096, "workers");
            return this;
        }

        /** Calls that may wait for a worker (default 256); more are refused as busy at once. */
        public Builder queueCapacity(int n) {
            this.queueCapacity = requireRange(n, 0, 1_000_000, "queueCapacity");
            return this;
        }

        /** How long a call may wait for a worker before it is refused as busy (default 30 s). */
        public Builder queueTimeout(Duration d) {
            Objects.requireNonNull(d, "queueTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("queueTimeout must not be negative, got " + d);
            }
            this.queueTimeout = d;
            return this;
        }

        /** Each worker's stack in bytes (default 16 MiB), which bounds guest recursion. */
        public Builder threadStackSize(long bytes) {
            if (bytes < 256 * 1024) {
                throw new IllegalArgumentException("threadStackSize must be at least 256 KiB, got " + bytes);
            }
            this.threadStackBytes = bytes;
            return this;
        }

        /**
         * Compiled modules kept in memory at most (default 100 000: the memory bound,
         * {@link #cacheMaxBytes}, is the one that normally applies). A module evicted from memory is
         * loaded again from the registry's compiled-code cache, not compiled.
         */
        public Builder cacheMaxEntries(int n) {
            this.cacheMaxEntries = requireRange(n, 1, 1_000_000, "cacheMaxEntries");
            return this;
        }

        /**
         * Memory the compiled modules kept in memory may take, by the engine's estimate (default
         * 512 MiB: a few thousand tools of tens of KiB, several hundred of a MiB; docs/PERFORMANCE.md).
         */
        public Builder cacheMaxBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("cacheMaxBytes must be positive, got " + bytes);
            }
            this.cacheMaxBytes = bytes;
            return this;
        }

        /** Adds a listener. */
        public Builder listener(KamiListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /** The environment granted variables are read from (default {@link System#getenv()}). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /**
         * @return a running Kami
         * @throws ConfigurationException if kami-core is missing, no provider is found, several
         *     tie, or the combination of settings is inconsistent
         */
        public Kami build() {
            if (engine != null && engineId != null) {
                throw new ConfigurationException("both an engine instance and engine id '" + engineId
                        + "' were given; keep one");
            }
            if (store != null && (storeId != null || storeUrl != null)) {
                throw new ConfigurationException("both a store instance and a store id/url were given; keep one");
            }
            if ("memory".equals(storeId) && storeUrl != null) {
                throw new ConfigurationException("inMemory() and storeUrl('" + storeUrl + "') exclude each other");
            }
            Path h = home != null ? home : defaultHome();
            KamiSettings settings = new KamiSettings(engine, engineId, engineOptions, store, storeId, storeUrl,
                    storeOptions, h, policy, workers, queueCapacity, queueTimeout, threadStackBytes, cacheMaxEntries,
                    cacheMaxBytes, listeners, environment != null ? environment : System.getenv());
            return factory().create(settings);
        }

        private static Path defaultHome() {
            String env = System.getenv("KAMI_HOME");
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            return Path.of(System.getProperty("user.home"), ".kami");
        }

        private static KamiFactory factory() {
            try {
                Class<?> c = Class.forName(KamiFactory.IMPLEMENTATION, true, Kami.class.getClassLoader());
                return (KamiFactory) c.getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                throw new ConfigurationException("kami-core is not on the classpath; add the dependency"
                        + " dev.kami:kami-core (and an engine such as dev.kami:kami-wasm-chicory)", e);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ConfigurationException("kami-core could not be started (" + e + "); check that all"
                        + " dev.kami artifacts have the same version", e);
            }
        }

        private static String requireText(String s, String what) {
            Objects.requireNonNull(s, what);
            if (s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }

        private static int requireRange(int v, int min, int max, String what) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], got " + v);
            }
            return v;
        }
    }
}
