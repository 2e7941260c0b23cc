package dev.kami.store.jdbc;

import static dev.kami.tck.store.StoreFixtures.module;
import static dev.kami.tck.store.StoreFixtures.record;
import static dev.kami.tck.store.StoreFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.manifest.ToolId;
import dev.kami.policy.Grants;
import dev.kami.spi.CompiledCode;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled-code cache and the recorded module ABIs (schema version 2) on a real SQLite file
 * and, when {@code KAMI_TEST_PG_URL} is set, on a real PostgreSQL server.
 */
class CompiledCodeStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    @TempDir
    Path home;

    private ToolStore sqlite() {
        return new JdbcStoreProvider().open(new StoreConfig(home, null, Map.of()));
    }

    @Test
    void compiledCodeIsKeptByModuleAndKeyAndGoesWithTheModuleOnSqlite() {
        compiledCodeIsKeptByModuleAndKeyAndGoesWithTheModule(home.resolve("registry.db").toString(), this::sqlite);
    }

    @Test
    void compiledCodeIsKeptByModuleAndKeyAndGoesWithTheModuleOnPostgres() {
        try (PgSupport pg = PgSupport.create()) {
            compiledCodeIsKeptByModuleAndKeyAndGoesWithTheModule(pg.url(),
                    () -> new JdbcStoreProvider().open(new StoreConfig(home, pg.url(), Map.of())));
        }
    }

    @Test
    void moduleAbisAreRecordedOncePerBlobOnSqlite() {
        moduleAbisAreRecordedOncePerBlob(this::sqlite);
    }

    @Test
    void moduleAbisAreRecordedOncePerBlobOnPostgres() {
        try (PgSupport pg = PgSupport.create()) {
            moduleAbisAreRecordedOncePerBlob(() -> new JdbcStoreProvider().open(new StoreConfig(home, pg.url(),
                    Map.of())));
        }
    }

    private void compiledCodeIsKeptByModuleAndKeyAndGoesWithTheModule(String where,
            java.util.function.Supplier<ToolStore> open) {
        byte[] m = module("compiled");
        ToolRecord a = record("dev.kami.a", "1.0.0", m, T0);
        ToolRecord b = record("dev.kami.b", "1.0.0", m, T0); // the same module under two tools
        byte[] code = "classes of the module".getBytes(StandardCharsets.UTF_8);
        CompiledCode entry = new CompiledCode(sha256(m), "chicory-1.7.5;layout=1", sha256(code), code);
        try (ToolStore store = open.get()) {
            store.writeCompiled(entry);
            assertThat(store.readCompiled(sha256(m), entry.key())).as("no blob yet: %s", where).isEmpty();

            store.insert(a, m, Grants.none());
            store.insert(b, m, Grants.none());
            store.writeCompiled(entry);
            byte[] other = "other bytes".getBytes(StandardCharsets.UTF_8);
            store.writeCompiled(new CompiledCode(sha256(m), entry.key(), sha256(other), other)); // first one kept
        }
        try (ToolStore store = open.get()) { // another process
            CompiledCode read = store.readCompiled(sha256(m), entry.key()).orElseThrow();
            assertThat(read.code()).isEqualTo(code);
            assertThat(read.codeSha256()).isEqualTo(sha256(code));
            assertThat(read.moduleSha256()).isEqualTo(sha256(m));
            assertThat(store.readCompiled(sha256(m), "chicory-1.8.0;layout=1")).as("another version").isEmpty();

            assertThat(store.remove(ToolId.of("dev.kami.a"))).isTrue();
            assertThat(store.readCompiled(sha256(m), entry.key())).as("still used by dev.kami.b").isPresent();
            assertThat(store.remove(ToolId.of("dev.kami.b"))).isTrue();
            assertThat(store.readCompiled(sha256(m), entry.key())).as("evicted with the module").isEmpty();

            store.insert(a, m, Grants.none());
            store.writeCompiled(entry);
            store.removeCompiled(sha256(m));
            assertThat(store.readCompiled(sha256(m), entry.key())).isEmpty();
        }
    }

    private void moduleAbisAreRecordedOncePerBlob(java.util.function.Supplier<ToolStore> open) {
        byte[] m1 = module("abi-1");
        byte[] m2 = module("abi-2");
        try (ToolStore store = open.get()) {
            store.recordModuleAbi(sha256(m1), "kami-v1");
            assertThat(store.moduleAbis()).as("no blob, nothing recorded").isEmpty();
            store.insert(record("dev.kami.one", "1.0.0", m1, T0), m1, Grants.none());
            store.insert(record("dev.kami.two", "1.0.0", m2, T0), m2, Grants.none());
            store.recordModuleAbi(sha256(m1), "kami-v1");
            assertThat(store.moduleAbis()).containsExactly(Map.entry(sha256(m1), "kami-v1"));
        }
        try (ToolStore store = open.get()) {
            store.recordModuleAbi(sha256(m2), "wasi-command");
            assertThat(store.moduleAbis()).containsOnly(Map.entry(sha256(m1), "kami-v1"),
                    Map.entry(sha256(m2), "wasi-command"));
            store.remove(ToolId.of("dev.kami.two"));
            assertThat(store.moduleAbis()).containsOnly(Map.entry(sha256(m1), "kami-v1"));
        }
    }

    @Test
    void moduleEntriesAreRecordedPerBlobAndReadByAnotherProcessOnSqlite() {
        moduleEntriesAreRecordedPerBlob(this::sqlite);
    }

    @Test
    void moduleEntriesAreRecordedPerBlobAndReadByAnotherProcessOnPostgres() {
        try (PgSupport pg = PgSupport.create()) {
            moduleEntriesAreRecordedPerBlob(() -> new JdbcStoreProvider().open(new StoreConfig(home, pg.url(),
                    Map.of())));
        }
    }

    /** Schema version 3: the tools of a plugin offering several (ADR 0120), kept with its module's blob. */
    private void moduleEntriesAreRecordedPerBlob(java.util.function.Supplier<ToolStore> open) {
        byte[] m = module("plugin");
        String entries = "[{\"name\":\"echo\",\"description\":\"echoes\",\"inputSchema\":null},"
                + "{\"name\":\"upper\",\"description\":\"\",\"inputSchema\":\"{\\\"type\\\":\\\"object\\\"}\"}]";
        try (ToolStore store = open.get()) {
            store.recordModuleEntries(sha256(m), entries);
            assertThat(store.moduleEntries()).as("no blob, nothing recorded").isEmpty();
            store.insert(record("dev.kami.plugin", "1.0.0", m, T0), m, Grants.none());
            store.recordModuleEntries(sha256(m), entries);
        }
        try (ToolStore store = open.get()) { // another process
            assertThat(store.moduleEntries()).containsExactly(Map.entry(sha256(m), entries));
            store.remove(ToolId.of("dev.kami.plugin"));
            assertThat(store.moduleEntries()).isEmpty();
        }
    }
}
