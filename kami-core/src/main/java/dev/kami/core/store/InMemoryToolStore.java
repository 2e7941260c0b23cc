package dev.kami.core.store;

import dev.kami.ToolConflictException;
import dev.kami.ToolNotFoundException;
import dev.kami.manifest.ToolId;
import dev.kami.policy.Grants;
import dev.kami.spi.HistoryEntry;
import dev.kami.spi.Page;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link ToolStore} in memory: nothing survives {@link #close()}. For tests and
 * {@code Kami.builder().inMemory()}. Thread-safe (one lock; every write is atomic).
 */
public final class InMemoryToolStore implements ToolStore {
    private final TreeMap<String, ToolRecord> tools = new TreeMap<>();
    private final Map<String, Grants> grants = new HashMap<>();
    private final Map<String, byte[]> blobs = new HashMap<>();
    /** Compiled code by module digest, then key; goes with the blob. */
    private final Map<String, Map<String, dev.kami.spi.CompiledCode>> compiled = new HashMap<>();
    private final Map<String, String> abis = new HashMap<>();
    private final List<HistoryEntry> history = new ArrayList<>();
    private long sequence;
    private boolean closed;

    /** Creates an empty store. */
    public InMemoryToolStore() {
    }

    @Override
    public synchronized void insert(ToolRecord tool, byte[] module, Grants g) {
        open();
        if (tools.containsKey(tool.id().value())) {
            throw new ToolConflictException("tool " + tool.id() + " is already installed (version "
                    + tools.get(tool.id().value()).version() + "); update it, or uninstall it first");
        }
        checkMcpName(tool);
        blobs.putIfAbsent(tool.moduleSha256(), module.clone());
        tools.put(tool.id().value(), tool);
        grants.put(tool.id().value(), g);
        log(tool.id(), HistoryEntry.Action.INSTALL, tool.version().toString(), "source=" + tool.source());
    }

    @Override
    public synchronized void replace(ToolRecord tool, byte[] module) {
        open();
        ToolRecord old = tools.get(tool.id().value());
        if (old == null) {
            throw new ToolNotFoundException("tool " + tool.id() + " is not installed; install it instead of replacing it");
        }
        checkMcpName(tool);
        blobs.putIfAbsent(tool.moduleSha256(), module.clone());
        tools.put(tool.id().value(), new ToolRecord(tool.id(), tool.name(), tool.version(), tool.description(),
                tool.mcpName(), tool.manifestToml(), tool.moduleSha256(), tool.moduleSize(), tool.signature(),
                tool.signerKey(), tool.enabled(), tool.pinnedVersion(), tool.source(), old.installedAt(),
                tool.updatedAt()));
        dropBlobIfUnused(old.moduleSha256());
        log(tool.id(), HistoryEntry.Action.UPDATE, tool.version().toString(), "from=" + old.version());
    }

    private void checkMcpName(ToolRecord tool) {
        for (ToolRecord t : tools.values()) {
            if (t.mcpName().equals(tool.mcpName()) && !t.id().equals(tool.id())) {
                throw new ToolConflictException("MCP name '" + tool.mcpName() + "' of tool " + tool.id()
                        + " is already used by tool " + t.id() + "; choose another tool id");
            }
        }
    }

    @Override
    public synchronized Optional<ToolRecord> find(ToolId id) {
        open();
        return Optional.ofNullable(tools.get(id.value()));
    }

    @Override
    public synchronized Optional<ToolRecord> findByMcpName(String mcpName) {
        open();
        return tools.values().stream().filter(t -> t.mcpName().equals(mcpName)).findFirst();
    }

    @Override
    public synchronized Page<ToolRecord> list(String cursor, int limit) {
        open();
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        String after = cursor == null ? null : decodeCursor(cursor);
        Map<String, ToolRecord> tail = after == null ? tools : tools.tailMap(after, false);
        List<ToolRecord> items = new ArrayList<>();
        String next = null;
        for (ToolRecord t : tail.values()) {
            if (items.size() == limit) {
                next = encodeCursor(items.get(items.size() - 1).id().value());
                break;
            }
            items.add(t);
        }
        return new Page<>(items, next);
    }

    private static String encodeCursor(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("after:" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith("after:")) {
                return s.substring(6);
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the refusal
        }
        throw new IllegalArgumentException("cursor '" + cursor + "' was not made by this store; start again without a cursor");
    }

    @Override
    public synchronized boolean remove(ToolId id) {
        open();
        ToolRecord old = tools.remove(id.value());
        if (old == null) {
            return false;
        }
        grants.remove(id.value());
        dropBlobIfUnused(old.moduleSha256());
        log(id, HistoryEntry.Action.UNINSTALL, old.version().toString(), "");
        return true;
    }

    private void dropBlobIfUnused(String sha) {
        if (tools.values().stream().noneMatch(t -> t.moduleSha256().equals(sha))) {
            blobs.remove(sha);
            compiled.remove(sha);
            abis.remove(sha);
        }
    }

    @Override
    public synchronized Optional<dev.kami.spi.CompiledCode> readCompiled(String moduleSha256, String key) {
        open();
        Map<String, dev.kami.spi.CompiledCode> byKey = compiled.get(moduleSha256);
        return Optional.ofNullable(byKey == null ? null : byKey.get(key));
    }

    @Override
    public synchronized void writeCompiled(dev.kami.spi.CompiledCode code) {
        open();
        if (blobs.containsKey(code.moduleSha256())) {
            compiled.computeIfAbsent(code.moduleSha256(), k -> new HashMap<>()).putIfAbsent(code.key(), code);
        }
    }

    @Override
    public synchronized void removeCompiled(String moduleSha256) {
        open();
        compiled.remove(moduleSha256);
    }

    @Override
    public synchronized Map<String, String> moduleAbis() {
        open();
        return Map.copyOf(abis);
    }

    @Override
    public synchronized void recordModuleAbi(String moduleSha256, String abiLabel) {
        open();
        if (blobs.containsKey(moduleSha256)) {
            abis.put(moduleSha256, abiLabel);
        }
    }

    @Override
    public synchronized void setEnabled(ToolId id, boolean enabled) {
        ToolRecord t = require(id);
        tools.put(id.value(), t.withEnabled(enabled, Instant.now()));
        log(id, enabled ? HistoryEntry.Action.ENABLE : HistoryEntry.Action.DISABLE, t.version().toString(), "");
    }

    @Override
    public synchronized void setPinnedVersion(ToolId id, String version) {
        ToolRecord t = require(id);
        tools.put(id.value(), t.withPinnedVersion(version, Instant.now()));
        log(id, HistoryEntry.Action.PIN, t.version().toString(), version == null ? "unpinned" : "pinned=" + version);
    }

    @Override
    public synchronized Grants grants(ToolId id) {
        open();
        return grants.getOrDefault(id.value(), Grants.none());
    }

    @Override
    public synchronized void setGrants(ToolId id, Grants g) {
        ToolRecord t = require(id);
        grants.put(id.value(), g);
        log(id, HistoryEntry.Action.GRANT, t.version().toString(), String.join(" ", g.texts()));
    }

    @Override
    public synchronized Optional<byte[]> readBlob(String sha256) {
        open();
        byte[] b = blobs.get(sha256);
        return Optional.ofNullable(b == null ? null : b.clone());
    }

    @Override
    public synchronized boolean hasBlob(String sha256) {
        open();
        return blobs.containsKey(sha256);
    }

    @Override
    public synchronized List<HistoryEntry> history(ToolId id, int limit) {
        open();
        List<HistoryEntry> out = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0 && out.size() < limit; i--) {
            HistoryEntry h = history.get(i);
            if (id == null || h.id().equals(id)) {
                out.add(h);
            }
        }
        return out;
    }

    @Override
    public synchronized long changeCounter() {
        open();
        return sequence;
    }

    /**
     * Replaces a stored blob's bytes without changing its digest key: lets tests simulate a
     * tampered registry.
     */
    public synchronized void corruptBlobForTesting(String sha256, byte[] bytes) {
        if (!blobs.containsKey(sha256)) {
            throw new IllegalArgumentException("no blob " + sha256);
        }
        blobs.put(sha256, bytes.clone());
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private ToolRecord require(ToolId id) {
        open();
        ToolRecord t = tools.get(id.value());
        if (t == null) {
            throw new ToolNotFoundException("tool " + id + " is not installed; see the installed tools with kami list");
        }
        return t;
    }

    private void log(ToolId id, HistoryEntry.Action action, String version, String detail) {
        history.add(new HistoryEntry(++sequence, id, action, version, detail, Instant.now()));
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("the in-memory store is closed");
        }
    }
}
