package dev.kami.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.StoreException;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolStore;
import dev.kami.store.jdbc.internal.Dialect;
import dev.kami.store.jdbc.internal.Migrations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MigrationTest {
    @TempDir
    Path dir;

    @Test
    void bothDialectsKnowTheSameSchemaVersions() {
        assertThat(Migrations.latest(Dialect.SQLITE)).isPositive().isEqualTo(Migrations.latest(Dialect.POSTGRESQL));
    }

    @Test
    void sqliteRefusesASchemaNewerThanTheCodeNamingBothVersions() {
        String url = "jdbc:sqlite:" + dir.resolve("registry.db");
        refusesNewerSchema(url);
    }

    @Test
    void postgresRefusesASchemaNewerThanTheCodeNamingBothVersions() {
        try (PgSupport pg = PgSupport.create()) {
            refusesNewerSchema(pg.url());
        }
    }

    @Test
    void sqliteFirstOpensFromSeveralThreadsMigrateOnce() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("registry.db");
        migratesOnce(url);
    }

    @Test
    void postgresFirstOpensFromSeveralThreadsMigrateOnce() throws Exception {
        try (PgSupport pg = PgSupport.create()) {
            migratesOnce(pg.url());
        }
    }

    private void refusesNewerSchema(String url) {
        open(url).close();
        int latest = Migrations.latest(Dialect.of(url));
        Sql.exec(url, "INSERT INTO kami_schema_version (version, description, applied_at) VALUES (99, 'future', 0)");

        assertThatThrownBy(() -> open(url))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("knows versions up to " + latest)
                .hasMessageContaining("upgrade this KAMI");

        assertThat(Sql.column(url, "SELECT version FROM kami_schema_version ORDER BY version"))
                .as("versions after the refusal").containsExactly(expectedVersions(latest, "99"));
    }

    private void migratesOnce(String url) throws Exception {
        int n = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<ToolStore> stores = new ArrayList<>();
        try {
            List<Future<ToolStore>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return open(url);
                }));
            }
            go.countDown();
            for (Future<ToolStore> f : futures) {
                stores.add(f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            stores.forEach(ToolStore::close);
            pool.shutdownNow();
        }
        int latest = Migrations.latest(Dialect.of(url));
        assertThat(Sql.column(url, "SELECT version FROM kami_schema_version ORDER BY version"))
                .containsExactly(expectedVersions(latest));

        open(url).close();
        assertThat(Sql.column(url, "SELECT version FROM kami_schema_version ORDER BY version"))
                .as("after reopening").containsExactly(expectedVersions(latest));
    }

    private static String[] expectedVersions(int latest, String... more) {
        List<String> out = IntStream.rangeClosed(1, latest).mapToObj(String::valueOf).collect(Collectors.toList());
        out.addAll(List.of(more));
        return out.toArray(String[]::new);
    }

    private ToolStore open(String url) {
        return new JdbcStoreProvider().open(new StoreConfig(dir, url, Map.of()));
    }
}
