package dev.kami.store.jdbc;

import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolStore;
import dev.kami.tck.store.ToolStoreContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real SQLite file. */
class SqliteToolStoreTest extends ToolStoreContract {
    @TempDir
    Path home;

    @Override
    protected ToolStore openStore() {
        return new JdbcStoreProvider().open(new StoreConfig(home, null, Map.of()));
    }

    @Override
    protected ToolStore reopenStore() {
        return openStore();
    }

    @Override
    protected ToolStore openSharedStore() {
        return openStore();
    }
}
