package dev.kami.store.jdbc;

import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolStore;
import dev.kami.tck.store.ToolStoreContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real PostgreSQL server ({@code KAMI_TEST_PG_URL}), one schema per test. */
class PostgresToolStoreTest extends ToolStoreContract {
    @TempDir
    Path home;
    private PgSupport pg;

    @Override
    protected ToolStore openStore() {
        if (pg == null) {
            pg = PgSupport.create();
        }
        return new JdbcStoreProvider().open(new StoreConfig(home, pg.url(), Map.of()));
    }

    @Override
    protected ToolStore reopenStore() {
        return openStore();
    }

    @Override
    protected ToolStore openSharedStore() {
        return openStore();
    }

    @AfterEach
    void dropSchema() {
        if (store != null) {
            store.close();
        }
        if (pg != null) {
            pg.close();
        }
    }
}
