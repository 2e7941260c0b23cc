package dev.kami.store.jdbc;

import static dev.kami.tck.store.StoreFixtures.module;
import static dev.kami.tck.store.StoreFixtures.record;
import static dev.kami.tck.store.StoreFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.StoreException;
import dev.kami.policy.Grants;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.StoreProvider;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStoreProviderTest {
    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsTheProviderUnderIdJdbc() {
        List<StoreProvider> found = ServiceLoader.load(StoreProvider.class).stream().map(ServiceLoader.Provider::get)
                .collect(Collectors.toList());

        assertThat(found).anySatisfy(p -> {
            assertThat(p).isInstanceOf(JdbcStoreProvider.class);
            assertThat(p.id()).isEqualTo("jdbc");
            assertThat(p.priority()).isEqualTo(100);
        });
    }

    @Test
    void withoutUrlTheRegistryIsRegistryDbUnderAHomeCreatedOnDemand() {
        Path home = dir.resolve("not/yet/home");

        try (ToolStore store = new JdbcStoreProvider().open(new StoreConfig(home, null, Map.of()))) {
            store.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none());
        }

        assertThat(home.resolve("registry.db")).isRegularFile();
        String url = "jdbc:sqlite:" + home.resolve("registry.db");
        assertThat(Sql.column(url, "SELECT id FROM kami_tools")).containsExactly("dev.kami.echo");
        assertThat(Sql.column(url, "PRAGMA journal_mode")).containsExactly("wal");
    }

    @Test
    void anExplicitSqliteUrlCreatesTheFileAndItsDirectory() {
        Path file = dir.resolve("a/b/tools.db");

        new JdbcStoreProvider().open(new StoreConfig(dir, "jdbc:sqlite:" + file, Map.of())).close();

        assertThat(file).isRegularFile();
        assertThat(dir.resolve("registry.db")).doesNotExist();
    }

    @Test
    void anUnsupportedUrlIsRefusedNamingItWithoutItsPassword() {
        StoreConfig config = new StoreConfig(dir, "jdbc:mysql://db.example/kami?user=k&password=s3cret", Map.of());

        assertThatThrownBy(() -> new JdbcStoreProvider().open(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("jdbc:mysql://db.example/kami")
                .hasMessageContaining("jdbc:sqlite:")
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void anInMemorySqliteUrlIsRefusedPointingToTheInMemoryStore() {
        StoreConfig config = new StoreConfig(dir, "jdbc:sqlite::memory:", Map.of());

        assertThatThrownBy(() -> new JdbcStoreProvider().open(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("jdbc:sqlite::memory:")
                .hasMessageContaining("inMemory()");
    }

    @Test
    void aFileThatIsNotASqliteDatabaseIsRefusedNamingIt() throws Exception {
        Files.writeString(dir.resolve("registry.db"), "this is not a database, it is a text file of some length\n".repeat(100));

        assertThatThrownBy(() -> new JdbcStoreProvider().open(new StoreConfig(dir, null, Map.of())))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(dir.resolve("registry.db").toString())
                .hasMessageContaining("is a KAMI registry");
    }

    @Test
    void aBadOptionIsRefusedNamingItAndItsValue() {
        StoreConfig config = new StoreConfig(dir, null, Map.of("pool.size", "lots"));

        assertThatThrownBy(() -> new JdbcStoreProvider().open(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("pool.size")
                .hasMessageContaining("lots")
                .hasMessageContaining("positive whole number");
    }

    @Test
    void anUnreachablePostgresIsAStoreExceptionNamingTheUrl() {
        String url = "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2&password=s3cret";

        assertThatThrownBy(() -> new JdbcStoreProvider().open(new StoreConfig(dir, url, Map.of())))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot connect to the PostgreSQL registry jdbc:postgresql://127.0.0.1:1/nowhere")
                .hasMessageContaining("check that the server is running")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aModuleThatDoesNotMatchItsRecordIsRefusedWithBothDigests() {
        ToolRecord r = record("dev.kami.echo", "1.0.0", module("a"));

        try (ToolStore store = new JdbcStoreProvider().open(new StoreConfig(dir, null, Map.of()))) {
            assertThatThrownBy(() -> store.insert(r, module("b"), Grants.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dev.kami.echo")
                    .hasMessageContaining(sha256(module("a")))
                    .hasMessageContaining(sha256(module("b")));
            assertThat(store.listAll()).isEmpty();
            assertThat(store.hasBlob(sha256(module("b")))).isFalse();
        }
    }

    @Test
    void aLargeModuleRoundTrips() throws Exception {
        byte[] m = module(11, 3 * 1024 * 1024);
        try (ToolStore store = new JdbcStoreProvider().open(new StoreConfig(dir, null, Map.of()))) {
            store.insert(record("dev.kami.big", "1.0.0", m), m, Grants.none());

            assertThat(store.readBlob(sha256(m))).hasValueSatisfying(b -> assertThat(b).isEqualTo(m));
        }
        assertThat(Files.size(dir.resolve("registry.db"))).as("file after close (WAL checkpointed)")
                .isGreaterThan(m.length);
    }
}
