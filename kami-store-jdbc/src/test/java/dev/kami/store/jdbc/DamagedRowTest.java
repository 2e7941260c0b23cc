package dev.kami.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ToolConflictException;
import dev.kami.manifest.ToolId;
import dev.kami.policy.Grants;
import dev.kami.spi.DamagedRow;
import dev.kami.spi.Page;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import dev.kami.tck.store.StoreFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A row whose columns no valid record has is skipped by every read, reported, and removable. */
class DamagedRowTest {
    @TempDir
    Path home;

    private ToolStore open() {
        return new JdbcStoreProvider().open(new StoreConfig(home, null, Map.of()));
    }

    private String url() {
        return "jdbc:sqlite:" + home.resolve("registry.db");
    }

    private static byte[] module(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRowWithAnUnreadableVersionIsSkippedReportedAndRemovable() {
        try (ToolStore store = open()) {
            for (String id : List.of("dev.kami.a", "dev.kami.b", "dev.kami.c")) {
                store.insert(StoreFixtures.record(id, "1.0.0", module(id)), module(id), Grants.none());
            }
            Sql.exec(url(), "UPDATE kami_tools SET version = 'not-semver' WHERE id = 'dev.kami.b'");

            assertThat(store.listAll()).extracting(r -> r.id().value()).containsExactly("dev.kami.a", "dev.kami.c");
            assertThat(store.find(ToolId.of("dev.kami.b"))).isEmpty();
            assertThat(store.findByMcpName("dev_kami_b")).isEmpty();
            List<DamagedRow> damaged = store.damaged();
            assertThat(damaged).hasSize(1);
            assertThat(damaged.get(0).id()).isEqualTo("dev.kami.b");
            assertThat(damaged.get(0).version()).isEqualTo("not-semver");
            assertThat(damaged.get(0).reason()).startsWith("its registry row cannot be read (")
                    .contains("not-semver").endsWith("uninstall it (kami uninstall dev.kami.b) or reinstall it with"
                            + " force (kami install --force <source>)");

            // pages of one: the damaged row takes its place in the paging and never stops it early
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Page<ToolRecord> page = store.list(cursor, 1);
                page.items().forEach(r -> seen.add(r.id().value()));
                cursor = page.nextCursor();
                pages++;
            } while (cursor != null && pages < 10);
            assertThat(seen).containsExactly("dev.kami.a", "dev.kami.c");

            ToolRecord again = StoreFixtures.record("dev.kami.b", "1.0.0", module("dev.kami.b"));
            assertThatThrownBy(() -> store.insert(again, module("dev.kami.b"), Grants.none()))
                    .isInstanceOf(ToolConflictException.class)
                    .hasMessageContaining("tool 'dev.kami.b' is installed already (version not-semver)");
            assertThat(store.removeDamaged("dev.kami.b")).isTrue();
            assertThat(store.damaged()).isEmpty();
            assertThat(store.removeDamaged("dev.kami.b")).isFalse();
            store.insert(again, module("dev.kami.b"), Grants.none());
            assertThat(store.listAll()).hasSize(3);
        }
    }

    @Test
    void aRowWithAnInvalidIdCanBeRemovedByItsStoredId() {
        try (ToolStore store = open()) {
            store.insert(StoreFixtures.record("dev.kami.a", "1.0.0", module("a")), module("a"), Grants.none());
            Sql.exec(url(), "UPDATE kami_tools SET id = 'Bad Id' WHERE id = 'dev.kami.a'");
            assertThat(store.listAll()).isEmpty();
            assertThat(store.damaged()).extracting(DamagedRow::id).containsExactly("Bad Id");
            assertThat(store.removeDamaged("Bad Id")).isTrue();
            assertThat(Sql.column(url(), "SELECT sha256 FROM kami_blobs")).isEmpty();
        }
    }

    @Test
    void reinstallingRewritesADamagedBlob() {
        try (ToolStore store = open()) {
            ToolRecord r = StoreFixtures.record("dev.kami.a", "1.0.0", module("the module"));
            store.insert(r, module("the module"), Grants.none());
            Sql.exec(url(), "UPDATE kami_blobs SET bytes = X'00'");
            assertThat(store.readBlob(r.moduleSha256())).hasValueSatisfying(b -> assertThat(b).containsExactly(0));
            store.replace(r, module("the module"));
            assertThat(store.readBlob(r.moduleSha256())).hasValueSatisfying(b ->
                    assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("the module"));
        }
    }
}
