package dev.kami.store.jdbc.internal;

import dev.kami.ToolConflictException;
import dev.kami.ToolNotFoundException;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolVersion;
import dev.kami.policy.Grants;
import dev.kami.spi.HistoryEntry;
import dev.kami.spi.Page;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link ToolStore} on a {@link Database}: tool rows, content-addressed blobs, grants and an
 * append-only history, every write one transaction. Thread-safe.
 */
public final class JdbcToolStore implements ToolStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcToolStore.class);
    private static final String COLUMNS = "id, name, version, description, mcp_name, manifest_toml, module_sha256,"
            + " module_size, signature, signer_key, enabled, pinned_version, source, installed_at, updated_at";

    private final Database db;
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param db an open, migrated database; the store closes it */
    public JdbcToolStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void insert(ToolRecord tool, byte[] module, Grants grants) {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(grants, "grants");
        checkModule(tool, module);
        db.write("install tool '" + tool.id() + "'", c -> {
            String existing = storedVersion(c, tool.id().value());
            if (existing != null) {
                throw new ToolConflictException("tool '" + tool.id() + "' is installed already (version "
                        + existing + "); update it, reinstall it with force, or uninstall it first");
            }
            checkMcpName(c, tool);
            putBlob(c, tool.moduleSha256(), module);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO kami_tools (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindRow(p, tool, tool.installedAt());
                p.executeUpdate();
            }
            update(c, "DELETE FROM kami_grants WHERE tool_id = ?", tool.id().value()); // a damaged row's leftovers
            putGrants(c, tool.id(), grants);
            history(c, tool.id(), HistoryEntry.Action.INSTALL, tool.version().toString(),
                    "source=" + tool.source() + "; grants=" + String.join(" ", grants.texts()), tool.updatedAt());
            return null;
        });
    }

    @Override
    public void replace(ToolRecord tool, byte[] module) {
        Objects.requireNonNull(tool, "tool");
        checkModule(tool, module);
        db.write("replace tool '" + tool.id() + "'", c -> {
            ToolRecord old = find(c, tool.id());
            if (old == null) {
                throw notFound(tool.id(), "replace");
            }
            checkMcpName(c, tool);
            putBlob(c, tool.moduleSha256(), module);
            try (PreparedStatement p = c.prepareStatement("UPDATE kami_tools SET id = ?, name = ?, version = ?,"
                    + " description = ?, mcp_name = ?, manifest_toml = ?, module_sha256 = ?, module_size = ?,"
                    + " signature = ?, signer_key = ?, enabled = ?, pinned_version = ?, source = ?, installed_at = ?,"
                    + " updated_at = ? WHERE id = ?")) {
                bindRow(p, tool, old.installedAt());
                p.setString(16, tool.id().value());
                p.executeUpdate();
            }
            if (!old.moduleSha256().equals(tool.moduleSha256())) {
                dropBlobIfUnreferenced(c, old.moduleSha256());
            }
            history(c, tool.id(), HistoryEntry.Action.UPDATE, tool.version().toString(),
                    "from " + old.version() + "; source=" + tool.source(), tool.updatedAt());
            return null;
        });
    }

    @Override
    public Optional<ToolRecord> find(ToolId id) {
        Objects.requireNonNull(id, "id");
        return Optional.ofNullable(db.read("find tool '" + id + "'", c -> find(c, id)));
    }

    @Override
    public Optional<ToolRecord> findByMcpName(String mcpName) {
        Objects.requireNonNull(mcpName, "mcpName");
        return Optional.ofNullable(db.read("find the tool with MCP name '" + mcpName + "'", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM kami_tools WHERE mcp_name = ?")) {
                p.setString(1, mcpName);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? readableRow(rs) : null;
                }
            }
        }));
    }

    @Override
    public Page<ToolRecord> list(String cursor, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        String after = cursor == null ? null : Cursors.lastId(cursor);
        List<ToolRecord> items = new ArrayList<>();
        String next = db.read("list tools", c -> {
            items.clear();
            // a damaged row is skipped (damaged() reports it) but still counts for the page, so
            // that paging over a registry with one never loops or stops early
            String sql = "SELECT " + COLUMNS + " FROM kami_tools" + (after == null ? "" : " WHERE id > ?")
                    + " ORDER BY id LIMIT ?";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                if (after != null) {
                    p.setString(i++, after);
                }
                p.setInt(i, limit + 1);
                int seen = 0;
                String lastId = null;
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (++seen > limit) {
                            return Cursors.after(lastId);
                        }
                        lastId = rs.getString(1);
                        ToolRecord r = readableRow(rs);
                        if (r != null) {
                            items.add(r);
                        }
                    }
                }
                return null;
            }
        });
        return new Page<>(List.copyOf(items), next);
    }

    @Override
    public List<dev.kami.spi.DamagedRow> damaged() {
        return db.read("look for damaged rows", c -> {
            List<dev.kami.spi.DamagedRow> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM kami_tools ORDER BY id");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String problem = rowProblem(rs);
                    if (problem != null) {
                        String id = String.valueOf(rs.getString(1));
                        String version = rs.getString(3);
                        out.add(new dev.kami.spi.DamagedRow(id, version == null ? "" : version, problem));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean removeDamaged(String id) {
        Objects.requireNonNull(id, "id");
        return db.write("uninstall the damaged row '" + id + "'", c -> removeRow(c, id));
    }

    @Override
    public boolean remove(ToolId id) {
        Objects.requireNonNull(id, "id");
        return db.write("uninstall tool '" + id + "'", c -> removeRow(c, id.value()));
    }

    /** Removes a row read column by column, so that a damaged one goes as well as a sound one. */
    private static boolean removeRow(Connection c, String id) throws SQLException {
        String version;
        String sha;
        String source;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT version, module_sha256, source FROM kami_tools WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                version = rs.getString(1);
                sha = rs.getString(2);
                source = rs.getString(3);
            }
        }
        update(c, "DELETE FROM kami_grants WHERE tool_id = ?", id);
        update(c, "DELETE FROM kami_tools WHERE id = ?", id);
        if (sha != null) {
            dropBlobIfUnreferenced(c, sha);
        }
        history(c, id, HistoryEntry.Action.UNINSTALL, version == null ? "" : version, "source=" + source, now());
        return true;
    }

    @Override
    public void setEnabled(ToolId id, boolean enabled) {
        Objects.requireNonNull(id, "id");
        db.write((enabled ? "enable" : "disable") + " tool '" + id + "'", c -> {
            ToolRecord old = find(c, id);
            if (old == null) {
                throw notFound(id, enabled ? "enable" : "disable");
            }
            Instant at = now();
            try (PreparedStatement p = c.prepareStatement("UPDATE kami_tools SET enabled = ?, updated_at = ? WHERE id = ?")) {
                p.setBoolean(1, enabled);
                p.setLong(2, micros(at));
                p.setString(3, id.value());
                p.executeUpdate();
            }
            history(c, id, enabled ? HistoryEntry.Action.ENABLE : HistoryEntry.Action.DISABLE,
                    old.version().toString(), "", at);
            return null;
        });
    }

    @Override
    public void setPinnedVersion(ToolId id, String version) {
        Objects.requireNonNull(id, "id");
        db.write((version == null ? "unpin" : "pin") + " tool '" + id + "'", c -> {
            ToolRecord old = find(c, id);
            if (old == null) {
                throw notFound(id, version == null ? "unpin" : "pin");
            }
            Instant at = now();
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE kami_tools SET pinned_version = ?, updated_at = ? WHERE id = ?")) {
                p.setString(1, version);
                p.setLong(2, micros(at));
                p.setString(3, id.value());
                p.executeUpdate();
            }
            history(c, id, HistoryEntry.Action.PIN, old.version().toString(),
                    version == null ? "unpinned" : "pinned to " + version, at);
            return null;
        });
    }

    @Override
    public Grants grants(ToolId id) {
        Objects.requireNonNull(id, "id");
        List<String> texts = db.read("read the grants of tool '" + id + "'", c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT permission FROM kami_grants WHERE tool_id = ? ORDER BY position")) {
                p.setString(1, id.value());
                List<String> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
        return Grants.fromTexts(texts);
    }

    @Override
    public void setGrants(ToolId id, Grants grants) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(grants, "grants");
        db.write("change the grants of tool '" + id + "'", c -> {
            ToolRecord old = find(c, id);
            if (old == null) {
                throw notFound(id, "grant permissions to");
            }
            update(c, "DELETE FROM kami_grants WHERE tool_id = ?", id.value());
            putGrants(c, id, grants);
            history(c, id, HistoryEntry.Action.GRANT, old.version().toString(), String.join(" ", grants.texts()), now());
            return null;
        });
    }

    @Override
    public Optional<byte[]> readBlob(String sha256) {
        Objects.requireNonNull(sha256, "sha256");
        return Optional.ofNullable(db.read("read module blob " + sha256, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT bytes FROM kami_blobs WHERE sha256 = ?")) {
                p.setString(1, sha256);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        }));
    }

    @Override
    public Optional<dev.kami.spi.CompiledCode> readCompiled(String moduleSha256, String key) {
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(db.read("read compiled code of module " + moduleSha256, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT code_sha256, code FROM kami_compiled WHERE module_sha256 = ? AND cache_key = ?")) {
                p.setString(1, moduleSha256);
                p.setString(2, key);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    String digest = rs.getString(1);
                    byte[] code = rs.getBytes(2);
                    return digest == null || code == null ? null
                            : new dev.kami.spi.CompiledCode(moduleSha256, key, digest, code);
                }
            }
        }));
    }

    @Override
    public void writeCompiled(dev.kami.spi.CompiledCode code) {
        Objects.requireNonNull(code, "code");
        db.write("keep compiled code of module " + code.moduleSha256(), c -> {
            if (!blobExists(c, code.moduleSha256())) {
                return null; // uninstalled meanwhile: the code would outlive its module
            }
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM kami_compiled WHERE module_sha256 = ?"
                    + " AND cache_key = ?")) {
                p.setString(1, code.moduleSha256());
                p.setString(2, code.key());
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        return null; // kept as it is; a damaged one is removed by its reader first
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO kami_compiled (module_sha256, cache_key,"
                    + " code_sha256, size, code, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                p.setString(1, code.moduleSha256());
                p.setString(2, code.key());
                p.setString(3, code.codeSha256());
                p.setLong(4, code.code().length);
                p.setBytes(5, code.code());
                p.setLong(6, micros(now()));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void removeCompiled(String moduleSha256) {
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        db.write("forget compiled code of module " + moduleSha256, c -> {
            update(c, "DELETE FROM kami_compiled WHERE module_sha256 = ?", moduleSha256);
            return null;
        });
    }

    @Override
    public java.util.Map<String, String> moduleAbis() {
        return db.read("read the recorded module ABIs", c -> {
            java.util.Map<String, String> out = new java.util.HashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT sha256, abi FROM kami_blobs WHERE abi IS NOT NULL");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public void recordModuleAbi(String moduleSha256, String abiLabel) {
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        Objects.requireNonNull(abiLabel, "abiLabel");
        db.write("record the ABI of module " + moduleSha256, c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE kami_blobs SET abi = ? WHERE sha256 = ?"
                    + " AND (abi IS NULL OR abi <> ?)")) {
                p.setString(1, abiLabel);
                p.setString(2, moduleSha256);
                p.setString(3, abiLabel);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public java.util.Map<String, String> moduleEntries() {
        return db.read("read the recorded module entries", c -> {
            java.util.Map<String, String> out = new java.util.HashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT sha256, entries FROM kami_blobs WHERE entries IS NOT NULL");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public void recordModuleEntries(String moduleSha256, String entriesJson) {
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        Objects.requireNonNull(entriesJson, "entriesJson");
        db.write("record the entries of module " + moduleSha256, c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE kami_blobs SET entries = ? WHERE sha256 = ?")) {
                p.setString(1, entriesJson);
                p.setString(2, moduleSha256);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean hasBlob(String sha256) {
        Objects.requireNonNull(sha256, "sha256");
        return db.read("look up module blob " + sha256, c -> blobExists(c, sha256));
    }

    @Override
    public List<HistoryEntry> history(ToolId id, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return db.read("read the history" + (id == null ? "" : " of tool '" + id + "'"), c -> {
            String sql = "SELECT seq, tool_id, action, version, detail, at FROM kami_history"
                    + (id == null ? "" : " WHERE tool_id = ?") + " ORDER BY seq DESC LIMIT ?";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                if (id != null) {
                    p.setString(i++, id.value());
                }
                p.setInt(i, limit);
                List<HistoryEntry> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new HistoryEntry(rs.getLong(1), ToolId.of(rs.getString(2)),
                                HistoryEntry.Action.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5),
                                instant(rs.getLong(6))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long changeCounter() {
        return db.read("read the change counter", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM kami_history");
                    ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return "JdbcToolStore[" + db.displayUrl() + "]";
    }

    // ---- inside a transaction ------------------------------------------------------------------

    /** @return the tool, or null when absent or when its row is damaged ({@link #damaged()} reports it) */
    private ToolRecord find(Connection c, ToolId id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM kami_tools WHERE id = ?")) {
            p.setString(1, id.value());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? readableRow(rs) : null;
            }
        }
    }

    /** @return the version column of the row with this id, damaged or not; null when there is none */
    private static String storedVersion(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT version FROM kami_tools WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? String.valueOf(rs.getString(1)) : null;
            }
        }
    }

    private static void checkMcpName(Connection c, ToolRecord tool) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM kami_tools WHERE mcp_name = ? AND id <> ?")) {
            p.setString(1, tool.mcpName());
            p.setString(2, tool.id().value());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    throw new ToolConflictException("MCP name '" + tool.mcpName() + "' of tool '" + tool.id()
                            + "' is taken by the installed tool '" + rs.getString(1) + "'; MCP clients need unique"
                            + " names, so uninstall '" + rs.getString(1) + "' or give this tool another id");
                }
            }
        }
    }

    private static boolean blobExists(Connection c, String sha256) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM kami_blobs WHERE sha256 = ?")) {
            p.setString(1, sha256);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void putBlob(Connection c, String sha256, byte[] module) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT bytes FROM kami_blobs WHERE sha256 = ?")) {
            p.setString(1, sha256);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    byte[] stored = rs.getBytes(1);
                    if (stored != null && sha256(stored).equals(sha256)) {
                        return;
                    }
                    // a damaged blob is repaired by the install that brings its bytes again
                    try (PreparedStatement u = c.prepareStatement(
                            "UPDATE kami_blobs SET size = ?, bytes = ? WHERE sha256 = ?")) {
                        u.setLong(1, module.length);
                        u.setBytes(2, module);
                        u.setString(3, sha256);
                        u.executeUpdate();
                    }
                    LOG.warn("module blob {} was damaged in the registry and has been rewritten", sha256);
                    return;
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO kami_blobs (sha256, size, bytes) VALUES (?, ?, ?)")) {
            p.setString(1, sha256);
            p.setLong(2, module.length);
            p.setBytes(3, module);
            p.executeUpdate();
        }
    }

    private static void dropBlobIfUnreferenced(Connection c, String sha256) throws SQLException {
        // compiled code goes with its module (SQLite does not enforce the foreign key's cascade)
        try (PreparedStatement p = c.prepareStatement("DELETE FROM kami_compiled WHERE module_sha256 = ?"
                + " AND NOT EXISTS (SELECT 1 FROM kami_tools WHERE module_sha256 = ?)")) {
            p.setString(1, sha256);
            p.setString(2, sha256);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM kami_blobs WHERE sha256 = ?"
                + " AND NOT EXISTS (SELECT 1 FROM kami_tools WHERE module_sha256 = ?)")) {
            p.setString(1, sha256);
            p.setString(2, sha256);
            p.executeUpdate();
        }
    }

    private static void putGrants(Connection c, ToolId id, Grants grants) throws SQLException {
        List<String> texts = grants.texts();
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO kami_grants (tool_id, position, permission) VALUES (?, ?, ?)")) {
            for (int i = 0; i < texts.size(); i++) {
                p.setString(1, id.value());
                p.setInt(2, i);
                p.setString(3, texts.get(i));
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static void history(Connection c, ToolId id, HistoryEntry.Action action, String version, String detail,
            Instant at) throws SQLException {
        history(c, id.value(), action, version, detail, at);
    }

    private static void history(Connection c, String id, HistoryEntry.Action action, String version, String detail,
            Instant at) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO kami_history (tool_id, action, version, detail, at) VALUES (?, ?, ?, ?, ?)")) {
            p.setString(1, id);
            p.setString(2, action.name());
            p.setString(3, version);
            p.setString(4, detail);
            p.setLong(5, micros(at));
            p.executeUpdate();
        }
    }

    private static void update(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, value);
            p.executeUpdate();
        }
    }

    private static void bindRow(PreparedStatement p, ToolRecord t, Instant installedAt) throws SQLException {
        p.setString(1, t.id().value());
        p.setString(2, t.name());
        p.setString(3, t.version().toString());
        p.setString(4, t.description());
        p.setString(5, t.mcpName());
        p.setString(6, t.manifestToml());
        p.setString(7, t.moduleSha256());
        p.setLong(8, t.moduleSize());
        setNullable(p, 9, t.signature());
        setNullable(p, 10, t.signerKey());
        p.setBoolean(11, t.enabled());
        setNullable(p, 12, t.pinnedVersion());
        p.setString(13, t.source());
        p.setLong(14, micros(installedAt));
        p.setLong(15, micros(t.updatedAt()));
    }

    private static void setNullable(PreparedStatement p, int index, String value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.VARCHAR);
        } else {
            p.setString(index, value);
        }
    }

    /** @return the row as a record, or null (logged) when a column holds a value no record has */
    private ToolRecord readableRow(ResultSet rs) throws SQLException {
        String problem = rowProblem(rs);
        if (problem != null) {
            if (warned.add(rs.getString(1) + " " + problem)) { // once per damage, not on every read
                LOG.warn("registry row '{}' is damaged and skipped: {}", rs.getString(1), problem);
            }
            return null;
        }
        return row(rs);
    }

    /** @return what makes the row unreadable, or null when it reads */
    private static String rowProblem(ResultSet rs) throws SQLException {
        try {
            row(rs);
            return null;
        } catch (IllegalArgumentException | NullPointerException | java.time.DateTimeException
                | ArithmeticException e) {
            String id = rs.getString(1);
            return "its registry row cannot be read (" + e.getMessage() + "); uninstall it (kami uninstall " + id
                    + ") or reinstall it with force (kami install --force <source>)";
        }
    }

    private static ToolRecord row(ResultSet rs) throws SQLException {
        return new ToolRecord(ToolId.of(rs.getString(1)), rs.getString(2), ToolVersion.parse(rs.getString(3)),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9),
                rs.getString(10), rs.getBoolean(11), rs.getString(12), rs.getString(13), instant(rs.getLong(14)),
                instant(rs.getLong(15)));
    }

    // ---- values ----------------------------------------------------------------------------------

    private static ToolNotFoundException notFound(ToolId id, String verb) {
        return new ToolNotFoundException("cannot " + verb + " tool '" + id + "': no tool with this id is installed;"
                + " check the id against the installed tools (list) or install it first");
    }

    private static void checkModule(ToolRecord tool, byte[] module) {
        Objects.requireNonNull(module, "module");
        String digest = sha256(module);
        if (!digest.equals(tool.moduleSha256())) {
            throw new IllegalArgumentException("module of tool '" + tool.id() + "' has SHA-256 " + digest
                    + " but its record says " + tool.moduleSha256() + "; record the digest of the bytes you store");
        }
        if (module.length != tool.moduleSize()) {
            throw new IllegalArgumentException("module of tool '" + tool.id() + "' is " + module.length
                    + " bytes but its record says " + tool.moduleSize() + "; record the size of the bytes you store");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Instant now() {
        return Instant.now();
    }

    /** Epoch microseconds: exact for every instant a JDK clock gives on Linux and portable to both databases. */
    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
