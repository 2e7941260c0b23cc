package dev.kami.store.jdbc;

import dev.kami.StoreException;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.StoreProvider;
import dev.kami.spi.ToolStore;
import dev.kami.store.jdbc.internal.Database;
import dev.kami.store.jdbc.internal.Dialect;
import dev.kami.store.jdbc.internal.JdbcToolStore;
import dev.kami.store.jdbc.internal.Migrations;
import dev.kami.store.jdbc.internal.Urls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The tool store on JDBC, id {@code "jdbc"}: an embedded SQLite file by default, or a PostgreSQL
 * database shared by several KAMI nodes.
 *
 * <ul>
 *   <li>{@link StoreConfig#url()} {@code null}: SQLite at {@code home/registry.db} ({@code home}
 *       is created if missing).
 *   <li>{@code jdbc:sqlite:/path/to/registry.db}: SQLite at that file.
 *   <li>{@code jdbc:postgresql://host:5432/db?user=kami&currentSchema=kami}: PostgreSQL; the
 *       tables live in the connection's current schema, which must exist. Needs the optional
 *       dependency {@code org.postgresql:postgresql}.
 * </ul>
 *
 * <p>Options ({@link StoreConfig#options()}): {@code busy.timeout.ms} (SQLite, default 10000),
 * {@code pool.size} (connections, default 4 for SQLite readers and 8 for PostgreSQL),
 * {@code user} and {@code password} (PostgreSQL, when not in the URL).
 *
 * <p>The schema is created or migrated on open; a database whose schema is newer than this code
 * is refused. Found by {@code ServiceLoader}; stateless and thread-safe.
 *
 * <pre>{@code
 * ToolStore store = new JdbcStoreProvider().open(new StoreConfig(Path.of("/var/lib/kami"), null, Map.of()));
 * }</pre>
 */
public final class JdbcStoreProvider implements StoreProvider {
    /** The provider id. */
    public static final String ID = "jdbc";
    /** The SQLite file name under {@code home} when no URL is given. */
    public static final String DEFAULT_FILE = "registry.db";

    /** Creates the provider; {@code ServiceLoader} calls this. */
    public JdbcStoreProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    /** @return 100: the default persistent store */
    @Override
    public int priority() {
        return 100;
    }

    /**
     * Opens (and creates or migrates) the registry.
     *
     * @throws StoreException if the URL is not SQLite or PostgreSQL, the database cannot be
     *     reached, or its schema is newer than this code; the message says what to do
     */
    @Override
    public ToolStore open(StoreConfig config) {
        String url = config.url();
        if (url == null) {
            Path home = config.home();
            try {
                Files.createDirectories(home);
            } catch (IOException e) {
                throw new StoreException("cannot create the KAMI home directory " + home + " for the registry: " + e
                        + "; set KAMI_HOME to a writable directory or give the store a JDBC URL", e);
            }
            url = "jdbc:sqlite:" + home.resolve(DEFAULT_FILE).toAbsolutePath();
        }
        Dialect dialect = Dialect.of(url);
        if (dialect == null) {
            throw new StoreException("unsupported registry URL '" + Urls.redact(url) + "': the jdbc store supports"
                    + " 'jdbc:sqlite:/path/to/registry.db' and 'jdbc:postgresql://host:port/database'");
        }
        Map<String, String> options = config.options();
        Database db = dialect == Dialect.SQLITE
                ? Database.openSqlite(sqliteUrl(url), intOption(options, "busy.timeout.ms", 10_000),
                        intOption(options, "pool.size", 4))
                : Database.openPostgres(url, credentials(options), intOption(options, "pool.size", 8));
        try {
            Migrations.migrate(db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new JdbcToolStore(db);
    }

    private static String sqliteUrl(String url) {
        String rest = url.substring(Dialect.SQLITE.prefix().length());
        if (rest.isEmpty() || rest.contains(":memory:") || rest.contains("mode=memory")) {
            throw new StoreException("registry URL '" + url + "' names no file; the jdbc store keeps the registry in"
                    + " a SQLite file ('jdbc:sqlite:/path/to/registry.db'); for a registry in memory use the in-memory"
                    + " store (Kami.builder().inMemory())");
        }
        if (!rest.startsWith("file:") && !rest.contains("?")) {
            Path parent = Path.of(rest).toAbsolutePath().getParent();
            try {
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new StoreException("cannot create the directory " + parent + " of the registry file " + rest
                        + ": " + e + "; choose a writable location", e);
            }
        }
        return url;
    }

    private static Properties credentials(Map<String, String> options) {
        Properties props = new Properties();
        for (String key : new String[] {"user", "password"}) {
            if (options.containsKey(key)) {
                props.setProperty(key, options.get(key));
            }
        }
        return props;
    }

    private static int intOption(Map<String, String> options, String key, int defaultValue) {
        String value = options.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StoreException("store option '" + key + "' is '" + value + "'; it must be a positive whole number");
    }
}
