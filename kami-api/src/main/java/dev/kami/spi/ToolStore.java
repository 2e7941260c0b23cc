package dev.kami.spi;

import dev.kami.manifest.ToolId;
import dev.kami.policy.Grants;
import java.util.List;
import java.util.Optional;

/**
 * The registry: tool rows, content-addressed module blobs, grants and an append-only history.
 * Implementations are thread-safe and every write is one transaction: it happens whole or not at
 * all, even if the process dies half-way. Failures are {@link dev.kami.StoreException}s (never a
 * JDBC type); conflicts are {@link dev.kami.ToolConflictException}s; a missing tool on a write is
 * a {@link dev.kami.ToolNotFoundException}. Contract: {@code dev.kami.tck.store.ToolStoreContract}.
 */
public interface ToolStore extends AutoCloseable {

    /**
     * Inserts a new tool with its module and grants.
     *
     * @throws dev.kami.ToolConflictException if the id is installed already (any version) or the
     *     MCP name is taken by another tool
     */
    void insert(ToolRecord tool, byte[] module, Grants grants);

    /**
     * Replaces an installed tool by another version (or the same, when forced). Grants are kept;
     * the old module blob is removed if no tool refers to it any more.
     *
     * @throws dev.kami.ToolNotFoundException if the id is not installed
     * @throws dev.kami.ToolConflictException if the MCP name is taken by another tool
     */
    void replace(ToolRecord tool, byte[] module);

    /** @return the tool with this id */
    Optional<ToolRecord> find(ToolId id);

    /** @return the tool with this MCP name */
    Optional<ToolRecord> findByMcpName(String mcpName);

    /**
     * Lists tools ordered by id.
     *
     * @param cursor {@code null} for the first page, else a {@link Page#nextCursor()} from this store
     * @param limit the most items on the page, positive
     * @throws IllegalArgumentException if the cursor is not one this store made
     */
    Page<ToolRecord> list(String cursor, int limit);

    /** @return every tool, ordered by id */
    default List<ToolRecord> listAll() {
        java.util.ArrayList<ToolRecord> all = new java.util.ArrayList<>();
        String cursor = null;
        do {
            Page<ToolRecord> page = list(cursor, 500);
            all.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return all;
    }

    /**
     * Removes a tool, its grants and its module blob if no other tool refers to it.
     *
     * @return whether a tool was removed
     */
    boolean remove(ToolId id);

    /** @throws dev.kami.ToolNotFoundException if the id is not installed */
    void setEnabled(ToolId id, boolean enabled);

    /**
     * @param version the version to hold updates at, or {@code null} to unpin
     * @throws dev.kami.ToolNotFoundException if the id is not installed
     */
    void setPinnedVersion(ToolId id, String version);

    /**
     * Rows that cannot be read back as a {@link ToolRecord}, ordered by id. The other reads skip
     * them, so one damaged row never hides the others.
     *
     * @return the damaged rows, empty when none (the default, for stores that cannot hold one)
     */
    default List<DamagedRow> damaged() {
        return List.of();
    }

    /**
     * Removes a row by its id column as stored, whether or not it can be read, with its grants
     * and its module blob if no other tool refers to it.
     *
     * @param id the id column's text, as {@link DamagedRow#id()} gives it
     * @return whether a row was removed
     */
    default boolean removeDamaged(String id) {
        return false;
    }

    /**
     * @return the tool's grants, {@link Grants#none()} when it has none
     * @throws IllegalArgumentException if a stored grant cannot be read back as a permission
     */
    Grants grants(ToolId id);

    /** @throws dev.kami.ToolNotFoundException if the id is not installed */
    void setGrants(ToolId id, Grants grants);

    /** @return the module with this SHA-256, as stored (the caller checks the digest) */
    Optional<byte[]> readBlob(String sha256);

    /** @return whether a blob with this SHA-256 is stored */
    boolean hasBlob(String sha256);

    /**
     * Compiled code stored for a module under a key (the compiled-code cache, {@link CodeCache}).
     * Stores that keep none return empty, as this default does.
     *
     * @return the entry as stored (the caller checks its digest)
     */
    default Optional<CompiledCode> readCompiled(String moduleSha256, String key) {
        return Optional.empty();
    }

    /**
     * Keeps compiled code next to its module blob; an entry already stored under the same module
     * and key is left as it is. It is removed with the blob (when no tool references the module
     * any more). A store that keeps no compiled code ignores it, as this default does; so does a
     * store whose module blob is gone.
     */
    default void writeCompiled(CompiledCode code) {
    }

    /**
     * Forgets every compiled entry of a module, e.g. after one failed its digest check.
     * The default does nothing.
     */
    default void removeCompiled(String moduleSha256) {
    }

    /**
     * The ABI label detected for each stored module whose ABI was recorded
     * ({@link #recordModuleAbi}), so that listing tools reads no module blob.
     *
     * @return module SHA-256 to ABI label ({@code dev.kami.manifest.Abi#label()}); the default is empty
     */
    default java.util.Map<String, String> moduleAbis() {
        return java.util.Map.of();
    }

    /**
     * Records the ABI an engine detected in a stored module (at install, or the first time a
     * tool of an older registry is listed). Ignored when the blob is not stored; the default
     * does nothing.
     */
    default void recordModuleAbi(String moduleSha256, String abiLabel) {
    }

    /**
     * The entry points recorded for stored modules that offer several tools
     * ({@link #recordModuleEntries}), so that listing tools runs no guest code.
     *
     * @return module SHA-256 to the entries' JSON text; the default is empty
     */
    default java.util.Map<String, String> moduleEntries() {
        return java.util.Map.of();
    }

    /**
     * Records the entry points an engine listed for a stored module (ADR 0120): a JSON array of
     * {@code {"name", "description", "inputSchema"}} objects. Ignored when the blob is not stored;
     * the default does nothing.
     */
    default void recordModuleEntries(String moduleSha256, String entriesJson) {
    }

    /**
     * @param id a tool, or {@code null} for all tools
     * @param limit the most entries, newest first
     * @return history lines, newest first
     */
    List<HistoryEntry> history(ToolId id, int limit);

    /**
     * A number that grows with every write, seen by every process sharing the store; lets nodes
     * sharing a registry notice changes made by others.
     *
     * @return the current change counter
     */
    long changeCounter();

    /** Closes connections; idempotent. */
    @Override
    void close();
}
