package dev.kami.core.internal;

import dev.kami.BrokenTool;
import dev.kami.BusyException;
import dev.kami.CallOptions;
import dev.kami.InstallException;
import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.IntegrityException;
import dev.kami.Kami;
import dev.kami.KamiException;
import dev.kami.KamiListener;
import dev.kami.ManifestException;
import dev.kami.MetricsSnapshot;
import dev.kami.ModuleRejectedException;
import dev.kami.PolicyViolationException;
import dev.kami.Registration;
import dev.kami.SignatureCoverage;
import dev.kami.SignatureException;
import dev.kami.ToolChange;
import dev.kami.ToolConflictException;
import dev.kami.ToolErrorKind;
import dev.kami.ToolNotFoundException;
import dev.kami.ToolResult;
import dev.kami.core.pkg.PackageReader;
import dev.kami.core.pkg.ToolPackage;
import dev.kami.core.policy.Permissions;
import dev.kami.core.signing.ToolSignatures;
import dev.kami.core.manifest.ManifestParser;
import dev.kami.manifest.Abi;
import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolManifest;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.DamagedRow;
import dev.kami.spi.EngineResult;
import dev.kami.spi.EntryPoint;
import dev.kami.spi.Invocation;
import dev.kami.spi.KamiSettings;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.Server;
import dev.kami.spi.ToolEngine;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import dev.kami.spi.TransportConfig;
import dev.kami.spi.TransportProvider;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link Kami} implementation: install pipeline (read → parse → inspect → policy → signature
 * → compile → store), resolver (store → blob → SHA-256 check → signature → compile, cached by
 * digest), and call path (resolve → schedule → invoke → result). Thread-safe.
 */
public final class DefaultKami implements Kami {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultKami.class);
    /**
     * Arguments and output are parsed on every call, by a caller thread and a worker: a
     * thread-local buffer recycler avoids contending on Jackson's shared pool between them.
     */
    private static final ObjectMapper JSON = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
            .recyclerPool(tools.jackson.core.util.JsonRecyclerPools.threadLocalPool()).build()).build();
    /** How often a node checks whether another node changed the shared registry. */
    static final long REMOTE_CHANGE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KamiSettings settings;
    private final ToolEngine engine;
    private final ToolStore store;
    private final HostPolicy policy;
    private final ModuleCache cache;
    private final Scheduler scheduler;
    private final Metrics metrics = new Metrics();
    private final List<KamiListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private final PackageReader reader = new PackageReader();
    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();
    private final Map<String, Abi> abiBySha = new ConcurrentHashMap<>();
    /** The tools a module offers when it offers several (ADR 0120), by module SHA-256; empty list: one tool. */
    private final Map<String, List<EntryPoint>> entriesBySha = new ConcurrentHashMap<>();
    /** The tool and entry behind an entry's MCP name, filled by listings; cleared on every change. */
    private final Map<String, InstalledTool> entryByMcpName = new ConcurrentHashMap<>();
    private final Map<String, dev.kami.spi.CompiledCode> unstoredCode = new ConcurrentHashMap<>();
    private final Object codeKeyLock = new Object();
    private final Map<String, ToolManifest> parsedManifests = new ConcurrentHashMap<>();
    private CodeCacheKey codeKey;
    private boolean codeKeyLoaded;
    /** Tool and signature pairs already warned about as partial, so a load does not repeat it. */
    private final java.util.Set<String> partialSignaturesWarned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object installLock = new Object();
    /** The store's change counter up to which tool-change events have been sent. */
    private volatile long eventCounter;
    private final java.util.concurrent.ScheduledExecutorService watcher;

    /**
     * A tool ready to call: its record, parsed manifest, grants and effective permissions; or,
     * when {@code broken} is set, a quarantined tool and why (the other parts may be null).
     */
    private record Resolved(ToolRecord record, ToolManifest manifest, Grants grants, EffectivePermissions effective,
            Map<String, String> environment, StoredSchema arguments, String broken, KamiException failure) {
        static Resolved broken(ToolRecord record, KamiException failure) {
            String reason = failure instanceof SignatureException
                    ? "its stored signature is refused (" + failure.getMessage() + ")" : failure.getMessage();
            return new Resolved(record, null, null, null, Map.of(), null, reason, failure);
        }

        /** @return this tool, when it is sound; else the refusal, of the kind of what is wrong */
        Resolved sound() {
            if (broken != null) {
                String message = "tool " + record.id() + " is quarantined: " + broken;
                throw failure instanceof SignatureException ? new SignatureException(message, failure)
                        : new IntegrityException(message, failure);
            }
            return this;
        }
    }

    DefaultKami(KamiSettings settings, ToolEngine engine, ToolStore store) {
        this.settings = settings;
        this.engine = engine;
        this.store = store;
        this.policy = settings.policy();
        this.listeners.addAll(settings.listeners());
        this.cache = new ModuleCache(settings.cacheMaxEntries(), settings.cacheMaxBytes(),
                sha -> notifyListeners(l -> l.moduleEvicted(sha)));
        this.scheduler = new Scheduler(settings.workers(), settings.queueCapacity(), settings.queueTimeout(),
                settings.threadStackBytes());
        this.eventCounter = store.changeCounter();
        this.watcher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kami-registry-watch");
            t.setDaemon(true);
            return t;
        });
        this.watcher.scheduleWithFixedDelay(this::watchRegistry, REMOTE_CHANGE_CHECK_NANOS,
                REMOTE_CHANGE_CHECK_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * Notices changes other processes made to a shared registry: new history lines become
     * {@link ToolChange} events (so MCP clients hear of tools installed through another node) and
     * the resolved-tool cache is cleared.
     */
    private void watchRegistry() {
        if (closed.get()) {
            return;
        }
        try {
            long seen = eventCounter;
            long now = store.changeCounter();
            if (now == seen) {
                return;
            }
            List<dev.kami.spi.HistoryEntry> lines = new ArrayList<>(store.history(null, 256));
            java.util.Collections.reverse(lines);
            eventCounter = now;
            resolved.clear();
            entryByMcpName.clear(); // another node changed tools: names are looked up again
            for (dev.kami.spi.HistoryEntry h : lines) {
                if (h.sequence() > seen && h.sequence() <= now) {
                    ToolChange change = new ToolChange(h.id(), changeKind(h.action()));
                    notifyListeners(l -> l.toolsChanged(change));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("registry watch failed; will retry", e);
        }
    }

    private static ToolChange.Kind changeKind(dev.kami.spi.HistoryEntry.Action a) {
        return switch (a) {
            case INSTALL -> ToolChange.Kind.INSTALLED;
            case UPDATE -> ToolChange.Kind.UPDATED;
            case UNINSTALL -> ToolChange.Kind.REMOVED;
            case ENABLE -> ToolChange.Kind.ENABLED;
            case DISABLE -> ToolChange.Kind.DISABLED;
            case PIN -> ToolChange.Kind.PINNED;
            case GRANT -> ToolChange.Kind.GRANTS_CHANGED;
        };
    }

    // ---- registry -----------------------------------------------------------------------

    @Override
    public InstalledTool install(Path packagePath) {
        ensureOpen();
        return installPackage(reader.read(packagePath), InstallOptions.defaults());
    }

    @Override
    public InstalledTool install(String source, InstallOptions options) {
        ensureOpen();
        return installPackage(reader.read(source), options == null ? InstallOptions.defaults() : options);
    }

    private InstalledTool installPackage(ToolPackage read, InstallOptions options) {
        ToolPackage pkg = withSource(read, options);
        ToolManifest m = pkg.manifest();
        Checked checked = check(pkg);
        Abi abi = checked.abi();
        if (options.grants() != null) {
            Permissions.requireGrantable(m.id(), options.grants(), policy);
        }
        Grants grants = options.grants() != null ? options.grants() : Grants.of(m.security());
        Instant now = Instant.now();
        synchronized (installLock) {
            Optional<ToolRecord> existing = store.find(m.id());
            if (existing.isEmpty()) {
                DamagedRow damaged = damagedRow(m.id().value());
                if (damaged != null) {
                    if (!options.force()) {
                        throw new ToolConflictException("tool " + m.id() + " is installed but quarantined: "
                                + damaged.reason());
                    }
                    store.removeDamaged(damaged.id()); // a row that cannot be read is replaced whole
                }
                ToolRecord rec = record(pkg, checked.description(), now, now, true, null);
                store.insert(rec, pkg.module(), grants);
                changed(m.id(), ToolChange.Kind.INSTALLED);
            } else {
                ToolRecord old = existing.get();
                if (!options.force()) {
                    if (old.version().equals(m.version())) {
                        throw new ToolConflictException("tool " + m.id() + " version " + m.version()
                                + " is already installed; reinstall with force: InstallOptions.defaults().withForce(true) in Java, kami install --force on the command line");
                    }
                    throw new ToolConflictException("tool " + m.id() + " is installed at version " + old.version()
                            + "; to install " + m.version() + " use update (kami update " + m.id()
                            + " <source>) or force");
                }
                store.replace(record(pkg, checked.description(), old.installedAt(), now, old.enabled(),
                        old.pinnedVersion()), pkg.module());
                if (options.grants() != null || !grantsReadable(m.id())) {
                    store.setGrants(m.id(), grants); // unreadable grants are replaced by the request's
                }
                changed(m.id(), ToolChange.Kind.UPDATED);
            }
        }
        abiBySha.put(pkg.sha256(), abi);
        stored(pkg.sha256(), abi);
        keepEntries(pkg.sha256(), checked.entries());
        LOG.info("installed {} {} from {} (sha256 {})", m.id(), m.version(), pkg.source(), pkg.sha256());
        return tool(m.id().value());
    }

    private static ToolPackage withSource(ToolPackage p, InstallOptions o) {
        return o.source() == null ? p : new ToolPackage(p.parsed(), p.module(), p.sha256(), p.signature(), p.signerKey(),
                o.source(), p.directory());
    }

    /**
     * What an install's checks found.
     *
     * @param abi the module's ABI
     * @param description the MCP description to store: the manifest's, or the module's own
     */
    private record Checked(Abi abi, String description, List<EntryPoint> entries) {
    }

    /** Everything an install checks before writing. */
    private Checked check(ToolPackage pkg) {
        ToolManifest m = pkg.manifest();
        ModuleInfo info = inspect(m.id().value(), pkg.module());
        if (m.abi() != null && info.abi() != m.abi()) {
            throw new ModuleRejectedException("tool " + m.id() + " declares abi = \"" + m.abi().label()
                    + "\" but its module implements " + info.abi().label() + "; fix [tool] abi or rebuild the module");
        }
        long capPages = (long) m.security().maxMemoryMb() * 16;
        if (info.minMemoryPages() > capPages) {
            throw new ModuleRejectedException("module of tool " + m.id() + " declares " + info.minMemoryPages()
                    + " pages (" + info.minMemoryPages() / 16 + " MiB) of initial memory, above its max_memory_mb = "
                    + m.security().maxMemoryMb() + "; raise max_memory_mb or shrink the module's memory");
        }
        ArgumentSchema.of(m); // refuses a schema that cannot be compiled
        Permissions.requireWithinCeiling(m.id(), m.security(), policy);
        verifySignature(m, pkg.module(), pkg.sha256(), pkg.signature(), pkg.signerKey());
        CompiledModule module = compiled(m.id().value(), pkg.sha256(), () -> pkg.module(), m.abi());
        List<EntryPoint> entries = info.abi() == Abi.EXTISM ? module.entries(Invocation.of(m.id().value(),
                new byte[0], EffectivePermissions.denyAll(m.security().maxMemoryMb(), m.security().maxExecutionMs())))
                : List.of();
        return new Checked(info.abi(), description(m, info, module), entries);
    }

    /**
     * The manifest's description, or, when it gives none, the module's own: a component's
     * {@code describe()}, run once here with no capability under the tool's memory and time limits.
     */
    private static String description(ToolManifest m, ModuleInfo info, CompiledModule module) {
        if (!m.description().isBlank()) {
            return m.description();
        }
        String own = info.hasDescribe() ? module.describe(Invocation.of(m.id().value(), new byte[0],
                EffectivePermissions.denyAll(m.security().maxMemoryMb(), m.security().maxExecutionMs()))) : null;
        if (own == null || own.isBlank()) {
            throw new ManifestException("tool.toml", "mcp.description", 0, "is missing, and the module of tool "
                    + m.id() + " (" + info.abi().label() + ") gives no description of its own (only a component's "
                    + "describe() does); add description = \"...\" to [mcp]");
        }
        return own;
    }


    private ModuleInfo inspect(String toolId, byte[] module) {
        try {
            return engine.inspect(toolId, module);
        } catch (KamiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModuleRejectedException("module of tool " + toolId + " cannot be read by the "
                    + engine.id() + " engine: " + Causes.describe(e), e);
        }
    }

    /**
     * Checks a signature against the module and the whole manifest, and the policy's demands.
     *
     * @return what the signature covers
     */
    private SignatureCoverage verifySignature(ToolManifest m, byte[] module, String sha, String signature,
            String signer) {
        return verifySignature(m, () -> module, sha, signature, signer);
    }

    /**
     * As above, given the module's recorded digest: its bytes are read only for a signature made
     * over the raw bytes (original KAMI), so resolving a tool for a listing reads no blob.
     */
    private SignatureCoverage verifySignature(ToolManifest m, java.util.function.Supplier<byte[]> module, String sha,
            String signature, String signer) {
        ToolId id = m.id();
        SignatureCoverage coverage = SignatureCoverage.UNSIGNED;
        if (signature != null) {
            ToolSignatures.Verification v = ToolSignatures.check(signer, signature, sha, module, m);
            if (v.scheme() == ToolSignatures.Scheme.INVALID) {
                String what = v.changes().isEmpty()
                        ? "its module (sha256 " + sha + ") or its [security] permissions changed since it was signed"
                        : "changed since it was signed: " + String.join("; ", v.changes());
                throw new SignatureException("signature of tool " + id + " does not verify with key " + signer + ": "
                        + what + ". Get the package from its publisher again, or re-sign it with 'kami sign'");
            }
            coverage = switch (v.scheme()) {
                case PACKAGE -> SignatureCoverage.PACKAGE;
                case V2 -> SignatureCoverage.MODULE_AND_PERMISSIONS;
                default -> SignatureCoverage.MODULE_ONLY;
            };
            if (coverage != SignatureCoverage.PACKAGE && partialSignaturesWarned.add(id + " " + signature)) {
                LOG.warn("tool {} carries a {} signature: its id, version, description and schemas are not covered;"
                        + " re-sign it with 'kami sign' to cover the whole package", id,
                        coverage == SignatureCoverage.MODULE_ONLY ? "module-only (original KAMI)"
                                : "module-and-permissions (KAMI v2)");
            }
        }
        if (policy.requireSignatures()) {
            if (signature == null) {
                throw new SignatureException("tool " + id + " is unsigned, but the host policy requires signatures"
                        + " from trusted keys " + policy.trustedKeys() + "; sign it with 'kami sign' using one of them");
            }
            if (!policy.trustedKeys().contains(signer)) {
                throw new SignatureException("tool " + id + " is signed by key " + signer + ", which the host"
                        + " policy does not trust (trusted: " + policy.trustedKeys() + "); add the key to"
                        + " HostPolicy.requireSignatures(..) if you trust its publisher");
            }
            if (coverage != SignatureCoverage.PACKAGE && !policy.allowModuleOnlySignatures()) {
                throw new SignatureException("tool " + id + " carries a "
                        + (coverage == SignatureCoverage.MODULE_ONLY ? "module-only" : "module-and-permissions")
                        + " signature, which does not cover its [tool] id, name, version or its [mcp] description and"
                        + " schemas, and the host policy requires signatures over the whole package; re-sign it with"
                        + " 'kami sign', or allow such signatures explicitly (HostPolicy.allowModuleOnlySignatures(true),"
                        + " allow_module_only_signatures = true in config.toml)");
            }
        }
        return coverage;
    }

    private ToolRecord record(ToolPackage pkg, String description, Instant installedAt, Instant updatedAt,
            boolean enabled, String pin) {
        ToolManifest m = pkg.manifest();
        return new ToolRecord(m.id(), m.name(), m.version(), description, m.id().mcpName(), pkg.parsed().text(),
                pkg.sha256(), pkg.module().length, pkg.signature(), pkg.signerKey(), enabled, pin, pkg.source(),
                installedAt, updatedAt);
    }

    @Override
    public InstalledTool update(String tool, String source, InstallOptions options) {
        ensureOpen();
        InstallOptions opts = options == null ? InstallOptions.defaults() : options;
        InstalledTool current = tool(tool);
        ToolPackage pkg = withSource(reader.read(source), opts);
        ToolManifest m = pkg.manifest();
        if (!m.id().equals(current.id())) {
            throw new InstallException("the package at " + source + " is tool " + m.id() + ", not " + current.id()
                    + "; give the source of " + current.id());
        }
        String pin = current.record().pinnedVersion();
        if (pin != null && !pin.equals(m.version().toString())) {
            throw new PolicyViolationException("tool " + current.id() + " is pinned at version " + pin
                    + "; the package has " + m.version() + ". Unpin it first (kami pin --unpin " + current.id() + ")");
        }
        int cmp = m.version().compareTo(current.manifest().version());
        if (cmp < 0 || (cmp == 0 && !opts.force())) {
            LOG.info("{} stays at {}: the package at {} has version {}", current.id(), current.manifest().version(),
                    source, m.version());
            return current;
        }
        Checked checked = check(pkg);
        Abi abi = checked.abi();
        synchronized (installLock) {
            ToolRecord old = store.find(m.id()).orElseThrow(() -> notFound(tool));
            store.replace(record(pkg, checked.description(), old.installedAt(), Instant.now(), old.enabled(),
                    old.pinnedVersion()), pkg.module());
            if (opts.grants() != null) {
                store.setGrants(m.id(), opts.grants());
            }
        }
        abiBySha.put(pkg.sha256(), abi);
        changed(m.id(), ToolChange.Kind.UPDATED);
        return tool(m.id().value());
    }

    @Override
    public InstalledTool validate(Path packagePath) {
        ensureOpen();
        ToolPackage pkg = reader.read(packagePath);
        Checked checked = check(pkg);
        ToolManifest m = pkg.manifest();
        Instant now = Instant.now();
        Grants grants = Grants.of(m.security());
        return new InstalledTool(m, record(pkg, checked.description(), now, now, true, null), grants,
                Permissions.effective(m.security(), grants, policy), checked.abi());
    }

    @Override
    public List<InstalledTool> list() {
        ensureOpen();
        List<InstalledTool> out = new ArrayList<>();
        for (ToolRecord r : store.listAll()) {
            Resolved res = resolveRecord(r);
            if (res.broken() == null) {
                out.addAll(expanded(res, installed(res)));
            }
        }
        return out;
    }

    /**
     * @return the tool, or, for a plugin offering several tools, one snapshot per tool it offers
     *     and its manifest does not skip ({@code [mcp] skip_tools}), each with its own MCP name
     */
    private List<InstalledTool> expanded(Resolved r, InstalledTool t) {
        if (t.abi() != Abi.EXTISM) {
            return List.of(t);
        }
        List<EntryPoint> entries = entriesOf(r);
        if (entries.size() <= 1) {
            return List.of(withOnlyEntry(r, t)); // a plugin of one tool keeps the plain name
        }
        List<InstalledTool> out = new ArrayList<>();
        for (InstalledTool.Entry e : ToolEntries.named(t.mcpName(), entries,
                ManifestParser.skipTools(t.record().manifestToml()))) {
            InstalledTool one = t.withEntry(e);
            entryByMcpName.put(e.mcpName(), one);
            out.add(one);
        }
        return out;
    }

    /**
     * @return the tool, for an Extism plugin offering exactly one tool with that tool's
     *     description and input schema under the tool's plain MCP name
     */
    private InstalledTool withOnlyEntry(Resolved r, InstalledTool t) {
        if (t.abi() != Abi.EXTISM || t.entry() != null) {
            return t;
        }
        List<EntryPoint> entries = entriesOf(r);
        if (entries.size() != 1) {
            return t;
        }
        EntryPoint only = entries.get(0);
        return t.withEntry(new InstalledTool.Entry(only.name(), t.record().mcpName(), only.description(),
                only.inputSchemaJson()));
    }

    /** @return the tools the module of an Extism plugin offers: recorded at install, else listed once now */
    private List<EntryPoint> entriesOf(Resolved r) {
        String sha = r.record().moduleSha256();
        List<EntryPoint> known = entriesBySha.get(sha);
        if (known != null) {
            return known;
        }
        try {
            String json = store.moduleEntries().get(sha);
            if (json != null) {
                List<EntryPoint> read = ToolEntries.fromJson(json);
                entriesBySha.put(sha, read);
                return read;
            }
        } catch (RuntimeException e) {
            LOG.debug("the recorded entries of module {} cannot be read; listing them again", sha, e);
        }
        // a plugin installed before its entries were recorded: list them once, and record them
        String id = r.record().id().value();
        List<EntryPoint> listed;
        try {
            listed = compiled(id, sha, () -> loadVerified(r), r.manifest().abi()).entries(Invocation.of(id,
                    new byte[0], EffectivePermissions.denyAll(r.manifest().security().maxMemoryMb(),
                            r.manifest().security().maxExecutionMs())));
        } catch (KamiException e) {
            LOG.warn("the tools of plugin {} cannot be listed; it is listed as one tool: {}", id, e.getMessage());
            return List.of();
        }
        keepEntries(sha, listed);
        return listed;
    }

    private void keepEntries(String sha, List<EntryPoint> entries) {
        entriesBySha.put(sha, List.copyOf(entries));
        if (!entries.isEmpty()) { // empty: not a plugin, or listing failed (logged); not recorded
            try {
                store.recordModuleEntries(sha, ToolEntries.toJson(entries));
            } catch (RuntimeException e) {
                LOG.warn("the tools of module {} cannot be recorded in the registry ({}); they are listed again in the"
                        + " next process", sha, e.getMessage());
            }
        }
    }

    /** @return the tool of a plugin behind an entry's MCP name, if that is one */
    private Optional<InstalledTool> entryTool(String mcpName) {
        InstalledTool t = entryByMcpName.get(mcpName);
        if (t == null && mcpName != null && mcpName.contains("__")) {
            list(); // fills the map
            t = entryByMcpName.get(mcpName);
        }
        return Optional.ofNullable(t);
    }

    @Override
    public List<BrokenTool> broken() {
        ensureOpen();
        List<BrokenTool> out = new ArrayList<>();
        for (DamagedRow d : store.damaged()) {
            out.add(new BrokenTool(d.id(), d.version(), d.reason()));
        }
        for (ToolRecord r : store.listAll()) {
            Resolved res = withCheckedModule(resolveRecord(r));
            if (res.broken() != null) {
                out.add(new BrokenTool(r.id().value(), r.version().toString(), res.broken()));
            }
        }
        out.sort(java.util.Comparator.comparing(BrokenTool::id));
        return out;
    }

    @Override
    public List<BrokenTool> loadAll() {
        ensureOpen();
        List<BrokenTool> failed = new ArrayList<>(broken());
        int loaded = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (InstalledTool t : list()) {
            if (!t.enabled() || !seen.add(t.id().value())) {
                continue; // the tools of one plugin share its module: loaded once
            }
            Resolved r = resolveRecord(t.record());
            try {
                compiled(t.id().value(), t.record().moduleSha256(), () -> loadVerified(r), r.manifest().abi());
                loaded++;
            } catch (KamiException e) {
                LOG.warn("tool {} cannot be loaded and is not served: {}", t.id(), e.getMessage());
                failed.add(new BrokenTool(t.id().value(), t.record().version().toString(), e.getMessage()));
            }
        }
        LOG.info("loaded {} enabled tools; {} not loadable", loaded, failed.size());
        return failed;
    }

    /**
     * @return the sound tool with this id or MCP name; empty when none is installed or when it is
     *     quarantined ({@link #tool(String)} says why)
     */
    @Override
    public Optional<InstalledTool> find(String tool) {
        ensureOpen();
        Optional<InstalledTool> found = lookup(tool).map(this::resolveRecord).filter(r -> r.broken() == null)
                .map(r -> withOnlyEntry(r, installed(r)));
        return found.isPresent() ? found : entryTool(tool);
    }

    @Override
    public Optional<String> world(String tool) {
        InstalledTool t = tool(tool);
        if (t.abi() != Abi.COMPONENT) {
            return Optional.empty();
        }
        Resolved r = resolveRecord(requireRecord(tool)).sound();
        return Optional.ofNullable(inspect(t.id().value(), loadVerified(r)).world());
    }

    @Override
    public InstalledTool tool(String tool) {
        ensureOpen();
        Optional<ToolRecord> r = lookup(tool);
        if (r.isPresent()) {
            Resolved res = resolveRecord(r.get()).sound();
            return withOnlyEntry(res, installed(res));
        }
        Optional<InstalledTool> entry = entryTool(tool);
        if (entry.isPresent()) {
            return entry.get();
        }
        DamagedRow d = damagedRow(tool);
        if (d != null) {
            throw new IntegrityException("tool " + d.id() + " is quarantined: " + d.reason());
        }
        throw notFound(tool);
    }

    /** @return the damaged row whose id or MCP name is {@code tool}, or null */
    private DamagedRow damagedRow(String tool) {
        for (DamagedRow d : store.damaged()) {
            if (d.id().equals(tool) || d.id().replace('.', '_').equals(tool)) {
                return d;
            }
        }
        return null;
    }

    private boolean grantsReadable(ToolId id) {
        try {
            store.grants(id);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Optional<ToolRecord> lookup(String tool) {
        if (tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("tool must be a tool id (dev.kami.echo) or an MCP name (dev_kami_echo)");
        }
        if (ToolId.isValid(tool)) {
            Optional<ToolRecord> r = store.find(ToolId.of(tool));
            if (r.isPresent()) {
                return r;
            }
        }
        return store.findByMcpName(tool);
    }

    private ToolRecord requireRecord(String tool) {
        Optional<ToolRecord> r = lookup(tool);
        if (r.isEmpty()) {
            DamagedRow d = damagedRow(tool);
            if (d != null) {
                throw new IntegrityException("tool " + d.id() + " is quarantined: " + d.reason());
            }
        }
        return r.orElseThrow(() -> notFound(tool));
    }

    private ToolNotFoundException notFound(String tool) {
        String didYouMean = null;
        try {
            List<String> names = new ArrayList<>();
            for (ToolRecord r : store.listAll()) {
                names.add(tool.indexOf('.') < 0 && tool.indexOf('_') >= 0 ? r.mcpName() : r.id().value());
            }
            didYouMean = Suggestions.didYouMean(Suggestions.closest(tool, names, 3));
        } catch (RuntimeException e) { // a suggestion is a courtesy: a store that cannot list gives none
            LOG.debug("no suggestion for unknown tool {}: {}", tool, Causes.describe(e));
        }
        return new ToolNotFoundException("no tool '" + tool + "' is installed; " + (didYouMean == null ? "see"
                : didYouMean + " See") + " the installed tools with 'kami list' (a tool is named by id, such as"
                + " dev.kami.echo, or MCP name, such as dev_kami_echo)");
    }

    @Override
    public boolean uninstall(String tool) {
        ensureOpen();
        Optional<ToolRecord> r = lookup(tool);
        if (r.isEmpty()) {
            DamagedRow d = damagedRow(tool);
            boolean removed = d != null && store.removeDamaged(d.id());
            if (removed) {
                resolved.clear();
                eventCounter = store.changeCounter();
                if (ToolId.isValid(d.id())) {
                    notifyListeners(l -> l.toolsChanged(new ToolChange(ToolId.of(d.id()), ToolChange.Kind.REMOVED)));
                }
            }
            return removed;
        }
        boolean removed = store.remove(r.get().id());
        if (removed) {
            if (!store.hasBlob(r.get().moduleSha256())) {
                cache.invalidate(r.get().moduleSha256());
            }
            changed(r.get().id(), ToolChange.Kind.REMOVED);
        }
        return removed;
    }

    @Override
    public void enable(String tool) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        store.setEnabled(r.id(), true);
        changed(r.id(), ToolChange.Kind.ENABLED);
    }

    @Override
    public void disable(String tool) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        store.setEnabled(r.id(), false);
        changed(r.id(), ToolChange.Kind.DISABLED);
    }

    @Override
    public void pin(String tool, String version) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        if (version != null) {
            try {
                dev.kami.manifest.ToolVersion.parse(version);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot pin " + r.id() + ": " + e.getMessage(), e);
            }
        }
        store.setPinnedVersion(r.id(), version);
        changed(r.id(), ToolChange.Kind.PINNED);
    }

    @Override
    public Grants grant(String tool, Permission... permissions) {
        return changeGrants(tool, true, permissions);
    }

    @Override
    public Grants revoke(String tool, Permission... permissions) {
        return changeGrants(tool, false, permissions);
    }

    private Grants changeGrants(String tool, boolean add, Permission... permissions) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        if (add) {
            for (Permission p : permissions) {
                Permissions.requireGrantable(r.id(), p, policy);
            }
        }
        Grants g;
        synchronized (installLock) {
            try {
                g = store.grants(r.id());
            } catch (IllegalArgumentException e) { // damaged stored grants: start again from none
                LOG.warn("the stored grants of {} cannot be read ({}); replacing them", r.id(), e.getMessage());
                g = Grants.none();
            }
            for (Permission p : permissions) {
                g = add ? g.with(p) : g.without(p);
            }
            store.setGrants(r.id(), g);
        }
        changed(r.id(), ToolChange.Kind.GRANTS_CHANGED);
        return g;
    }

    @Override
    public InstalledTool verify(String tool) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        Resolved res = resolveFresh(r).sound();
        byte[] module = loadVerified(res);
        LOG.debug("verified {} ({} bytes)", r.id(), module.length);
        return installed(res);
    }

    @Override
    public SignatureCoverage signatureCoverage(String tool) {
        ensureOpen();
        ToolRecord r = requireRecord(tool);
        Resolved res = resolveFresh(r).sound();
        byte[] blob = readVerifiedBlob(r);
        return verifySignature(res.manifest(), blob, r.moduleSha256(), r.signature(), r.signerKey());
    }

    // ---- resolution -----------------------------------------------------------------------

    private Resolved resolveRecord(ToolRecord r) {
        Resolved cached = resolved.get(r.id().value());
        if (cached != null && cached.record().equals(r)) {
            return cached;
        }
        return resolveFresh(r);
    }

    /**
     * Resolves a row, or quarantines it: a stored manifest, grants, schema or module that cannot be
     * read, a module whose digest or signature no longer matches, or columns that disagree with
     * the manifest make the tool broken (never served), and leave every other tool working.
     */
    private Resolved resolveFresh(ToolRecord r) {
        Resolved res;
        try {
            res = resolveChecked(r);
        } catch (KamiException e) {
            res = Resolved.broken(r, e);
            LOG.warn("tool {} is quarantined: {}", r.id(), res.broken());
        }
        resolved.put(r.id().value(), res);
        return res;
    }

    private Resolved resolveChecked(ToolRecord r) {
        ToolManifest manifest;
        try {
            manifest = parsedManifest(r);
        } catch (KamiException e) {
            throw new IntegrityException("its stored manifest no longer parses (" + e.getMessage()
                    + "); uninstall it or reinstall it with force", e);
        }
        String mismatch = columnMismatch(r, manifest);
        if (mismatch != null) {
            throw new IntegrityException("its registry row disagrees with its stored manifest: " + mismatch
                    + "; the row was edited outside KAMI. Uninstall it or reinstall it with force");
        }
        Grants g;
        try {
            g = store.grants(r.id());
        } catch (IllegalArgumentException e) {
            throw new IntegrityException("its stored grants cannot be read (" + e.getMessage() + "); set them again"
                    + " with 'kami grant " + r.id() + " ...', or reinstall it with force", e);
        }
        EffectivePermissions eff = Permissions.effective(manifest.security(), g, policy);
        // compiled when first needed (a call, broken(), loadAll()): a listing needs no schema
        StoredSchema schema = new StoredSchema(manifest);
        // the blob itself (its digest and size) is checked when the tool is loaded (loadVerified),
        // so that listing tools reads no module (ADR 0206)
        verifySignature(manifest, () -> readVerifiedBlob(r), r.moduleSha256(), r.signature(), r.signerKey());
        return new Resolved(r, manifest, g, eff, Permissions.environmentFor(eff, settings.environment()), schema, null,
                null);
    }

    /**
     * Parses a stored manifest, or returns the one parsed from the same text before: every registry
     * change clears the resolved tools, and parsing hundreds of manifests again is most of what a
     * listing costs (docs/PERFORMANCE.md). Only successes are kept, at most 4,096 texts.
     */
    private ToolManifest parsedManifest(ToolRecord r) {
        ToolManifest m = parsedManifests.get(r.manifestToml());
        if (m == null) {
            m = ManifestParser.parse(r.manifestToml(), r.id() + " (stored manifest)").manifest();
            if (parsedManifests.size() >= 4096) {
                parsedManifests.clear();
            }
            parsedManifests.put(r.manifestToml(), m);
        }
        return m;
    }

    /** @return which denormalized column of the row differs from the manifest, or null */
    private static String columnMismatch(ToolRecord r, ToolManifest m) {
        if (!r.id().equals(m.id())) {
            return "id is '" + r.id() + "' but the manifest says '" + m.id() + "'";
        }
        if (!r.version().equals(m.version())) {
            return "version is '" + r.version() + "' but the manifest says '" + m.version() + "'";
        }
        if (!r.name().equals(m.name())) {
            return "name is '" + r.name() + "' but the manifest says '" + m.name() + "'";
        }
        if (!m.description().isEmpty() && !r.description().equals(m.description())) {
            // a manifest without description has the module's own in the row (InstalledTool.description())
            return "description differs from the manifest's";
        }
        if (!r.mcpName().equals(m.id().mcpName())) {
            return "MCP name is '" + r.mcpName() + "' but the manifest's id gives '" + m.id().mcpName() + "'";
        }
        return null;
    }

    /** A stored tool's input schema, compiled once when first needed. Thread-safe. */
    private static final class StoredSchema {
        private final ToolManifest manifest;
        private volatile ArgumentSchema schema;

        StoredSchema(ToolManifest manifest) {
            this.manifest = manifest;
        }

        /** @throws IntegrityException when the stored schema no longer compiles */
        ArgumentSchema get() {
            ArgumentSchema s = schema;
            if (s == null) {
                try {
                    s = ArgumentSchema.of(manifest);
                } catch (KamiException e) {
                    throw new IntegrityException("its stored input schema no longer compiles (" + e.getMessage()
                            + "); reinstall the tool", e);
                }
                schema = s;
            }
            return s;
        }
    }

    /** The enabled tool to call, from the per-id cache when nothing changed. */
    private Resolved resolveForCall(String tool) {
        Resolved r = resolved.get(tool);
        if (r == null) {
            r = resolveRecord(requireRecord(tool)).sound();
            if (!r.record().id().value().equals(tool)) {
                resolved.put(tool, r); // also reachable by MCP name
            }
        }
        r.sound();
        if (!r.record().enabled()) {
            throw new ToolNotFoundException("tool " + r.record().id() + " is disabled; enable it with 'kami enable "
                    + r.record().id() + "'");
        }
        return r;
    }

    private void changed(ToolId id, ToolChange.Kind kind) {
        resolved.clear();
        entryByMcpName.clear();
        eventCounter = store.changeCounter(); // this node tells its own listeners below; the watcher need not repeat it
        ToolChange change = new ToolChange(id, kind);
        notifyListeners(l -> l.toolsChanged(change));
    }

    private InstalledTool installed(Resolved r) {
        Abi abi = r.manifest().abi();
        if (abi == null) {
            abi = abiBySha.get(r.record().moduleSha256());
        }
        if (abi == null) {
            knownAbis(); // recorded at install (schema 2); one query for every tool of a listing
            abi = abiBySha.computeIfAbsent(r.record().moduleSha256(), sha -> {
                // a module installed before its ABI was recorded: detect it once and record it
                byte[] blob = store.readBlob(sha).orElseThrow(() -> new IntegrityException("the module of tool "
                        + r.record().id() + " (sha256 " + sha + ") is missing from the store; reinstall the tool"));
                Abi detected = inspect(r.record().id().value(), blob).abi();
                recordAbi(sha, detected);
                return detected;
            });
        }
        return new InstalledTool(r.manifest(), r.record(), r.grants(), r.effective(), abi);
    }

    /** @return the home's compiled-code key, read or made on first use; null when there is none (logged once) */
    private CodeCacheKey codeCacheKey() {
        synchronized (codeKeyLock) {
            if (!codeKeyLoaded) {
                codeKey = CodeCacheKey.load(settings.home());
                codeKeyLoaded = true;
            }
            return codeKey;
        }
    }

    /** Loads the ABIs the store recorded into {@link #abiBySha}. */
    private void knownAbis() {
        try {
            store.moduleAbis().forEach((sha, label) -> Abi.fromLabel(label).ifPresent(a -> abiBySha.putIfAbsent(sha, a)));
        } catch (RuntimeException e) {
            LOG.debug("recorded module ABIs cannot be read", e);
        }
    }

    private void recordAbi(String sha, Abi abi) {
        try {
            store.recordModuleAbi(sha, abi.label());
        } catch (RuntimeException e) {
            LOG.debug("the ABI of module {} cannot be recorded", sha, e);
        }
    }

    /** Compiled code made during an install, before the module's blob is stored; written after the insert. */
    private void keepUnstored(dev.kami.spi.CompiledCode code) {
        if (unstoredCode.size() >= 16) {
            unstoredCode.clear(); // installs that failed after compiling: nothing to keep
        }
        unstoredCode.put(code.moduleSha256(), code);
    }

    /** Stores the compiled code and the ABI of a module just written by an install. */
    private void stored(String sha, Abi abi) {
        dev.kami.spi.CompiledCode code = unstoredCode.remove(sha);
        try {
            if (code != null) {
                store.writeCompiled(code);
            }
        } catch (RuntimeException e) {
            LOG.warn("compiled code of module {} cannot be kept in the registry ({}); it is compiled again in the next"
                    + " process", sha, e.getMessage());
        }
        recordAbi(sha, abi);
    }

    /**
     * The tool after its module blob was read and checked (digest, size, a signature over the raw
     * bytes), which resolving for a listing leaves out; quarantined, and remembered as such until
     * the registry changes, when the check fails.
     */
    private Resolved withCheckedModule(Resolved r) {
        if (r.broken() != null) {
            return r;
        }
        try {
            r.arguments().get();
            loadVerified(r);
            return r;
        } catch (IntegrityException | SignatureException e) {
            return quarantine(r, e);
        }
    }

    private static KamiException refusal(Resolved broken) {
        try {
            broken.sound();
            throw new IllegalStateException("not quarantined: " + broken.record().id());
        } catch (KamiException e) {
            return e;
        }
    }

    private Resolved quarantine(Resolved r, KamiException e) {
        Resolved broken = Resolved.broken(r.record(), e);
        resolved.put(r.record().id().value(), broken);
        LOG.warn("tool {} is quarantined: {}", r.record().id(), broken.broken());
        return broken;
    }

    /** Reads the blob and checks digest and signature (supply chain checks before every compile). */
    private byte[] loadVerified(Resolved r) {
        ToolRecord rec = r.record();
        byte[] blob = readVerifiedBlob(rec);
        verifySignature(r.manifest(), blob, rec.moduleSha256(), rec.signature(), rec.signerKey());
        return blob;
    }

    /** Reads a tool's module blob and checks its digest against the recorded one. */
    private byte[] readVerifiedBlob(ToolRecord rec) {
        byte[] blob;
        try {
            blob = store.readBlob(rec.moduleSha256()).orElseThrow(() -> new IntegrityException("the module of tool "
                    + rec.id() + " (sha256 " + rec.moduleSha256() + ") is missing from the store; reinstall the tool"));
        } catch (dev.kami.StoreException e) {
            throw new IntegrityException("the module of tool " + rec.id() + " cannot be read from the store ("
                    + e.getMessage() + "); reinstall the tool", e);
        }
        String actual = ToolSignatures.sha256Hex(blob);
        if (!actual.equals(rec.moduleSha256())) {
            throw new IntegrityException("the stored module of tool " + rec.id() + " was changed: its SHA-256 is "
                    + actual + " but " + rec.moduleSha256() + " was recorded at install. Refusing to load it;"
                    + " reinstall the tool from a trusted source");
        }
        if (blob.length != rec.moduleSize()) {
            throw new IntegrityException("the registry row of tool " + rec.id() + " was edited: its module_size"
                    + " column says " + rec.moduleSize() + " bytes but its module (sha256 " + actual + ") has "
                    + blob.length + "; reinstall the tool");
        }
        return blob;
    }

    private CompiledModule compiled(String toolId, String sha, java.util.function.Supplier<byte[]> bytes, Abi abi) {
        return cache.get(sha, () -> {
            long t0 = System.nanoTime();
            CompiledModule m;
            try {
                CodeCacheKey mac = codeCacheKey();
                m = engine.compile(new ModuleSource(toolId, bytes.get(), sha, abi), mac == null
                        ? dev.kami.spi.CodeCache.none() : new StoreCodeCache(store, mac, sha, this::keepUnstored));
            } catch (KamiException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModuleRejectedException("the " + engine.id() + " engine cannot compile the module of tool "
                        + toolId + ": " + Causes.describe(e), e);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            if (!m.fromCodeCache()) {
                metrics.compilations.increment();
            }
            notifyListeners(l -> l.moduleCompiled(sha, took));
            LOG.debug("{} {} (sha256 {}) in {} ms", m.fromCodeCache() ? "loaded compiled" : "compiled", toolId, sha,
                    took.toMillis());
            return m;
        });
    }

    // ---- calls ----------------------------------------------------------------------------

    @Override
    public ToolResult call(String tool, String argumentsJson, CallOptions options) {
        return join(callAsync(tool, argumentsJson, options));
    }

    @Override
    public CompletableFuture<ToolResult> callAsync(String tool, String argumentsJson, CallOptions options) {
        ensureOpen();
        CallOptions opts = options == null ? CallOptions.defaults() : options;
        Resolved found;
        InstalledTool.Entry entry = null;
        try {
            try {
                found = resolveForCall(tool);
                entry = withOnlyEntry(found, installed(found)).entry();
            } catch (ToolNotFoundException e) {
                Optional<InstalledTool> t = entryTool(tool); // one tool of a plugin offering several
                if (t.isEmpty()) {
                    throw e;
                }
                entry = t.get().entry();
                found = resolveForCall(t.get().id().value());
            }
            Permissions.requireUsableDirectory(found.record().id(), found.effective());
        } catch (KamiException e) { // not found, disabled, quarantined, a granted directory gone
            notifyListeners(l -> l.callRejected(tool, e.getMessage()));
            return CompletableFuture.failedFuture(e);
        }
        Resolved r = found;
        String id = r.record().id().value();
        ArgumentSchema arguments;
        try {
            arguments = r.arguments().get();
            if (entry != null && entry.inputSchemaJson() != null) {
                ArgumentSchema own = ArgumentSchema.ofEntry(id, entry.name(), entry.inputSchemaJson());
                arguments = own != null ? own : arguments;
            }
        } catch (IntegrityException e) {
            KamiException refusal = refusal(quarantine(r, e));
            notifyListeners(l -> l.callRejected(tool, refusal.getMessage()));
            return CompletableFuture.failedFuture(refusal);
        }
        java.util.function.Supplier<byte[]> module = () -> loadVerified(r);
        if (!cache.contains(r.record().moduleSha256())) {
            // about to load: a module that fails its checks quarantines the tool, as resolving does
            byte[] checked;
            try {
                checked = loadVerified(r);
            } catch (IntegrityException | SignatureException e) {
                KamiException refusal = refusal(quarantine(r, e));
                notifyListeners(l -> l.callRejected(tool, refusal.getMessage()));
                return CompletableFuture.failedFuture(refusal);
            }
            module = () -> checked;
        }
        return submit(id, entry == null ? null : entry.name(), r.manifest().abi(), r.record().moduleSha256(), module,
                r.effective(), r.environment(), arguments, argumentsJson, opts);
    }

    @Override
    public ToolResult run(Path packageOrWasm, String argumentsJson, CallOptions options) {
        ensureOpen();
        CallOptions opts = options == null ? CallOptions.defaults() : options;
        if (Files.isRegularFile(packageOrWasm)
                && packageOrWasm.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wasm")) {
            byte[] module;
            try {
                module = Files.readAllBytes(packageOrWasm);
            } catch (java.io.IOException e) {
                throw new InstallException("cannot read " + packageOrWasm + ": " + Causes.describe(e), e);
            }
            String sha = ToolSignatures.sha256Hex(module);
            String id = "run:" + packageOrWasm.getFileName();
            EffectivePermissions eff = Permissions.effective(SecurityRequest.denyAll(), Grants.none(), policy);
            return join(submit(id, null, null, sha, () -> module, eff, Map.of(), null, argumentsJson, opts));
        }
        ToolPackage pkg = reader.read(packageOrWasm);
        check(pkg);
        SecurityRequest req = pkg.manifest().security();
        EffectivePermissions eff = Permissions.effective(req, Grants.of(req), policy);
        return join(submit(pkg.manifest().id().value(), null, pkg.manifest().abi(), pkg.sha256(), pkg::module, eff,
                Permissions.environmentFor(eff, settings.environment()), ArgumentSchema.of(pkg.manifest()),
                argumentsJson, opts));
    }

    private CompletableFuture<ToolResult> submit(String id, String entry, Abi abi, String sha,
            java.util.function.Supplier<byte[]> module, EffectivePermissions eff, Map<String, String> env,
            ArgumentSchema schema, String argumentsJson, CallOptions opts) {
        long t0 = System.nanoTime();
        String json = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        String invalid = invalidArguments(json, schema);
        if (invalid != null) {
            ToolResult bad = ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "arguments to " + id + " " + invalid);
            record(id, bad, t0);
            return CompletableFuture.completedFuture(bad);
        }
        byte[] input = json.getBytes(StandardCharsets.UTF_8);
        Duration timeout = Duration.ofMillis(eff.maxExecutionMs());
        EffectivePermissions callEff = eff;
        if (opts.timeout() != null && opts.timeout().compareTo(timeout) < 0) {
            timeout = opts.timeout();
            callEff = eff.withLimits(eff.maxMemoryMb(), Math.max(1, timeout.toMillis()), eff.maxFuel(),
                    eff.maxOutputBytes());
        }
        EffectivePermissions invocationEff = callEff;
        CompletableFuture<ToolResult> f;
        try {
            f = scheduler.submit(id, (clock, queuedNanos) -> {
                long c0 = System.nanoTime();
                CompiledModule m = compiled(id, sha, module, abi); // host work: not on the tool's clock
                long c1 = System.nanoTime();
                EngineResult er = m.invoke(new Invocation(id, input, invocationEff, env, clock.start(), entry));
                long c2 = System.nanoTime();
                return toResult(id, er).withTimings(new ToolResult.Timings(Duration.ofNanos(queuedNanos),
                        Duration.ofNanos(c1 - c0), Duration.ofNanos(c2 - c1), Duration.ofNanos(c2 - t0)));
            }, timeout, opts.cancellation());
        } catch (BusyException e) {
            metrics.rejected.increment();
            notifyListeners(l -> l.callRejected(id, e.getMessage()));
            return CompletableFuture.failedFuture(e);
        }
        notifyListeners(l -> l.callQueued(id));
        return f.whenComplete((res, err) -> {
            if (res != null) {
                ToolResult timed = res.timings().total().isZero()
                        ? res.withTimings(new ToolResult.Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO,
                                Duration.ofNanos(System.nanoTime() - t0)))
                        : res;
                record(id, timed, t0);
            } else if (err instanceof BusyException) {
                metrics.rejected.increment();
                notifyListeners(l -> l.callRejected(id, err.getMessage()));
            }
        });
    }

    private void record(String id, ToolResult r, long t0) {
        metrics.record(id, r, System.nanoTime() - t0);
        notifyListeners(l -> l.callFinished(id, r));
    }

    /** @return why the arguments are refused, or null when they are a JSON object that fits the schema */
    private static String invalidArguments(String json, ArgumentSchema schema) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                return "must be a JSON object such as {\"message\":\"hi\"}, got " + (node == null ? "nothing" : node.getNodeType());
            }
            List<String> problems = schema == null ? List.of() : schema.problems(node);
            if (!problems.isEmpty()) {
                return "do not match its input schema: " + String.join("; ", problems)
                        + ". Call it again with arguments that fit the schema (tools/list shows it)";
            }
            return null;
        } catch (JacksonException e) {
            return "are not valid JSON (" + e.getOriginalMessage() + "); send a JSON object such as {\"message\":\"hi\"}";
        }
    }

    private static ToolResult toResult(String id, EngineResult er) {
        if (!er.success()) {
            String text = er.message();
            if (er.errorKind() == ToolErrorKind.TOOL_ERROR && er.output().length > 0) {
                text = new String(er.output(), StandardCharsets.UTF_8);
            }
            return new ToolResult(true, er.errorKind(), text, null, er.logs(), null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(er.output())).toString();
        } catch (CharacterCodingException e) {
            return ToolResult.error(ToolErrorKind.INVALID_OUTPUT, "tool " + id + " returned output that is not valid UTF-8");
        }
        String structured = null;
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node != null && node.isObject()) {
                    structured = JSON.writeValueAsString(node);
                }
            } catch (JacksonException notJson) {
                // plain text that happens to start with '{'
            }
        }
        return new ToolResult(false, null, text, structured, er.logs(), null);
    }

    private static ToolResult join(CompletableFuture<ToolResult> f) {
        try {
            return Scheduler.await(f);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new KamiException("interrupted while waiting for a tool call", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new KamiException("tool call failed: " + c, c);
        }
    }

    // ---- serving and observing ------------------------------------------------------------

    @Override
    public Server serve(String transportId, TransportConfig config) {
        ensureOpen();
        ProviderResolver<TransportProvider> r = new ProviderResolver<>("transport", null,
                "add dev.kami:kami-mcp to the classpath (transports 'stdio' and 'http')", TransportProvider::id,
                TransportProvider::priority, ProviderResolver.serviceLoader(TransportProvider.class));
        Server server = r.resolve(transportId).start(this, config == null ? TransportConfig.of(Map.of()) : config);
        servers.add(server);
        return server;
    }

    @Override
    public Registration subscribe(KamiListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    private void notifyListeners(java.util.function.Consumer<KamiListener> event) {
        for (KamiListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed; ignored", l, e);
            }
        }
    }

    @Override
    public MetricsSnapshot metrics() {
        return metrics.snapshot(cache.hits(), cache.misses(), cache.size(), scheduler.running(), scheduler.queued());
    }

    @Override
    public HostPolicy policy() {
        return policy;
    }

    @Override
    public String engineDescription() {
        String mode = settings.engineOptions().getOrDefault("mode", "compiled");
        return engine.id() + " (" + mode + ", fuel " + (engine.supportsFuel() ? "enforced" : "not enforced") + ")";
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Kami is closed; build a new one with Kami.builder()");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watcher.shutdownNow();
        for (Server s : servers) { // stop serving before the engine and store go away
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("closing server {} failed", s.address(), e);
            }
        }
        try {
            scheduler.close();
        } finally {
            try {
                engine.close();
            } finally {
                store.close();
            }
        }
    }
}
