package dev.kami.core.internal;

import dev.kami.ConfigurationException;
import dev.kami.Kami;
import dev.kami.KamiException;
import dev.kami.core.store.InMemoryToolStore;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineProvider;
import dev.kami.spi.KamiFactory;
import dev.kami.spi.KamiSettings;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.StoreProvider;
import dev.kami.spi.ToolEngine;
import dev.kami.spi.ToolStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link DefaultKami} from the builder's settings: resolves the engine and the store
 * (instance, then id or system property, then {@code ServiceLoader}). Found by
 * {@link Kami.Builder#build()} through {@link KamiFactory#IMPLEMENTATION}.
 */
public final class DefaultKamiFactory implements KamiFactory {
    /** The id of the built-in in-memory store. */
    public static final String MEMORY_STORE = "memory";

    /** Public for {@link Kami.Builder}'s reflective lookup. */
    public DefaultKamiFactory() {
    }

    @Override
    public Kami create(KamiSettings s) {
        ToolEngine engine = s.engine() != null ? s.engine() : engineResolver().resolve(s.engineId())
                .create(new EngineConfig(engineOptions(s)));
        ToolStore store;
        try {
            store = openStore(s);
        } catch (RuntimeException e) {
            if (s.engine() == null) {
                engine.close();
            }
            throw e;
        }
        return new DefaultKami(s, engine, store);
    }

    /** The policy's engine-wide limits (scratch quotas, module limits), under the explicit engine options. */
    static Map<String, String> engineOptions(KamiSettings s) {
        Map<String, String> options = new HashMap<>(s.policy().engineOptions());
        options.putAll(s.engineOptions());
        return options;
    }

    static ProviderResolver<EngineProvider> engineResolver() {
        return new ProviderResolver<>("engine", "kami.engine",
                "add dev.kami:kami-wasm-chicory to the classpath, or call Kami.builder().engine(..)",
                EngineProvider::id, EngineProvider::priority, ProviderResolver.serviceLoader(EngineProvider.class));
    }

    static ProviderResolver<StoreProvider> storeResolver() {
        return new ProviderResolver<>("store", "kami.store",
                "add dev.kami:kami-store-jdbc to the classpath, or call Kami.builder().inMemory()",
                StoreProvider::id, StoreProvider::priority, ProviderResolver.serviceLoader(StoreProvider.class));
    }

    private static ToolStore openStore(KamiSettings s) {
        if (s.store() != null) {
            return s.store();
        }
        String id = s.storeId() != null ? s.storeId() : System.getProperty("kami.store");
        if (MEMORY_STORE.equals(id)) {
            return new InMemoryToolStore();
        }
        StoreProvider provider = storeResolver().resolve(id);
        try {
            return provider.open(new StoreConfig(s.home(), s.storeUrl(), s.storeOptions()));
        } catch (KamiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigurationException("store '" + provider.id() + "' could not be opened at "
                    + (s.storeUrl() != null ? s.storeUrl() : s.home()) + ": " + Causes.describe(e), e);
        }
    }
}
