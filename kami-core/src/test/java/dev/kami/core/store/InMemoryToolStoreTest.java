package dev.kami.core.store;

import dev.kami.spi.ToolStore;
import dev.kami.tck.store.ToolStoreContract;

/** The store contract on the in-memory store. */
class InMemoryToolStoreTest extends ToolStoreContract {
    @Override
    protected ToolStore openStore() {
        return new InMemoryToolStore();
    }
}
