package dev.kami.store.jdbc;

import static dev.kami.tck.store.StoreFixtures.module;
import static dev.kami.tck.store.StoreFixtures.record;

import dev.kami.policy.Grants;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The victim of {@link CrashSafetyTest}: installs, updates and uninstalls tools with 1 MiB modules
 * in a loop on the registry at {@code args[0]}, and reports each write on stdout when it begins
 * and after it committed, until the parent kills it.
 *
 * <p>Arguments: the JDBC URL, an id prefix for this round, the most tools to install.
 */
public final class CrashChild {
    static final int MODULE_SIZE = 1 << 20;
    static final List<String> GRANTS = List.of("fs:none", "env:HOME");

    private CrashChild() {
    }

    public static void main(String[] args) {
        String url = args[0];
        String prefix = args[1];
        int max = Integer.parseInt(args[2]);
        PrintStream out = System.out;
        ToolStore store = new JdbcStoreProvider().open(new StoreConfig(Path.of(System.getProperty("java.io.tmpdir")),
                url, Map.of()));
        out.println("ready");
        out.flush();
        byte[] shared = module(42, MODULE_SIZE);
        for (int i = 0; i < max; i++) {
            String id = "crash." + prefix + ".t" + i;
            byte[] m = i % 4 == 0 ? shared : module(prefix.hashCode() * 1_000L + i, MODULE_SIZE);
            out.println("begin install " + id);
            out.flush();
            store.insert(record(id, "1.0.0", m), m, Grants.fromTexts(GRANTS));
            out.println("inserted " + id);
            out.flush();
            if (i % 3 == 2) {
                String previous = "crash." + prefix + ".t" + (i - 1);
                byte[] m2 = module(prefix.hashCode() * 1_000L + 500 + i, MODULE_SIZE);
                out.println("begin update " + previous);
                out.flush();
                store.replace(record(previous, "2.0.0", m2), m2);
                out.println("replaced " + previous);
                out.flush();
            }
            if (i % 5 == 4) {
                String old = "crash." + prefix + ".t" + (i - 3);
                out.println("begin remove " + old);
                out.flush();
                store.remove(dev.kami.manifest.ToolId.of(old));
                out.println("removed " + old);
                out.flush();
            }
        }
        store.close();
        out.println("done");
        out.flush();
    }
}
