package dev.kami.store.jdbc.internal;

import dev.kami.KamiException;
import dev.kami.StoreException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The connections to one registry database and the two ways to use them: {@link #read} on any
 * pooled connection, and {@link #write}, one transaction at a time.
 *
 * <p>Writes are serialized: in this JVM by a lock, and across processes by the database itself
 * ({@code BEGIN IMMEDIATE} on SQLite, a transaction-scoped advisory lock on PostgreSQL, keyed by
 * the schema). A registry sees few writes, so one writer at a time costs nothing and rules out
 * write skew between "is this blob still referenced?" and a concurrent insert (ADR 0202, 0205).
 * A transaction that fails for a transient reason (busy file, serialization failure, a unique
 * violation caused by a concurrent writer) is retried whole. Thread-safe.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** The advisory lock class id of KAMI registry writes ("KAMI" in ASCII). */
    private static final int ADVISORY_LOCK_CLASS = 0x4B414D49;
    /** PostgreSQL serialization failures clear in milliseconds; try often. */
    private static final int MAX_ATTEMPTS = 8;
    /** A busy SQLite file already waited the busy timeout inside the driver; don't multiply it by much. */
    private static final int MAX_SQLITE_BUSY_ATTEMPTS = 3;

    private final Dialect dialect;
    private final String displayUrl;
    private final ConnectionPool pool;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final Connection sqliteWriter;
    private final int advisoryKey;
    private volatile boolean closed;

    private Database(Dialect dialect, String displayUrl, ConnectionPool pool, Connection sqliteWriter, int advisoryKey) {
        this.dialect = dialect;
        this.displayUrl = displayUrl;
        this.pool = pool;
        this.sqliteWriter = sqliteWriter;
        this.advisoryKey = advisoryKey;
    }

    /**
     * Opens a SQLite registry: WAL journal, a busy timeout, foreign keys on, full fsync on commit.
     *
     * @param url a {@code jdbc:sqlite:} URL naming a file
     * @param busyTimeoutMillis how long a statement waits for another process's write lock
     * @param readers how many read connections may be open at once
     */
    public static Database openSqlite(String url, int busyTimeoutMillis, int readers) {
        String display = Urls.redact(url);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(busyTimeoutMillis);
        config.enforceForeignKeys(true);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        Properties props = config.toProperties();
        Driver driver = new org.sqlite.JDBC();
        ConnectionPool.Opener opener = () -> {
            Connection c = driver.connect(url, props);
            if (c == null) {
                throw new SQLException("the SQLite driver does not accept the URL " + display);
            }
            return c;
        };
        Connection writer = null;
        try {
            writer = opener.open();
            try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    LOG.warn("SQLite registry {} runs in journal mode '{}', not WAL (the file system may not support"
                            + " shared memory); readers will wait for writers", display, mode);
                }
            }
        } catch (SQLException e) {
            if (writer != null) {
                ConnectionPool.closeQuietly(writer);
            }
            throw new StoreException("cannot open the SQLite registry " + display + ": " + e.getMessage()
                    + "; check that the file is a KAMI registry (a SQLite database), that it and its directory are"
                    + " writable, and that it is not on a network file system", e);
        }
        return new Database(Dialect.SQLITE, display, new ConnectionPool(opener, readers, 30_000, display), writer, 0);
    }

    /**
     * Opens a PostgreSQL registry with a bounded pool. The schema the tables live in is the
     * connection's {@code current_schema()} (set it with {@code currentSchema=} in the URL).
     *
     * @param url a {@code jdbc:postgresql:} URL
     * @param props extra connection properties (user, password)
     * @param poolSize the most connections open at once
     */
    public static Database openPostgres(String url, Properties props, int poolSize) {
        String display = Urls.redact(url);
        Driver driver;
        try {
            driver = (Driver) Class.forName("org.postgresql.Driver", true, Database.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new StoreException("the registry URL " + display + " needs the PostgreSQL JDBC driver, which is not on"
                    + " the class path; add the dependency org.postgresql:postgresql (kami-store-jdbc declares it optional)", e);
        }
        Properties all = new Properties();
        all.setProperty("ApplicationName", "kami");
        all.putAll(props);
        ConnectionPool.Opener opener = () -> {
            Connection c = driver.connect(url, all);
            if (c == null) {
                throw new SQLException("the PostgreSQL driver does not accept the URL " + display);
            }
            return c;
        };
        ConnectionPool pool = new ConnectionPool(opener, poolSize, 30_000, display);
        String schema;
        try {
            Connection c = pool.borrow();
            boolean broken = true;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                schema = rs.next() ? rs.getString(1) : null;
                broken = false;
            } finally {
                pool.release(c, broken);
            }
        } catch (SQLException e) {
            pool.close();
            throw new StoreException("cannot connect to the PostgreSQL registry " + display + ": " + e.getMessage()
                    + "; check that the server is running, the database exists and the user may connect", e);
        }
        if (schema == null) {
            pool.close();
            throw new StoreException("the PostgreSQL registry " + display + " has no current schema: the search_path"
                    + " names no existing schema; create it (CREATE SCHEMA ...) or fix currentSchema= in the URL");
        }
        return new Database(Dialect.POSTGRESQL, display, pool, null, schema.hashCode());
    }

    /** @return the dialect */
    public Dialect dialect() {
        return dialect;
    }

    /** @return the URL without password, for messages */
    public String displayUrl() {
        return displayUrl;
    }

    /**
     * Runs read-only work on a pooled connection in auto-commit mode.
     *
     * @param what what is being read, for the message of a failure
     */
    <T> T read(String what, SqlWork<T> work) {
        checkOpen();
        for (int attempt = 1; ; attempt++) {
            Connection c;
            try {
                c = pool.borrow();
            } catch (SQLException e) {
                throw failure(what, e);
            }
            boolean broken = false;
            try {
                return work.run(c);
            } catch (SQLException e) {
                broken = dialect.isBroken(e);
                int attempts = dialect == Dialect.SQLITE ? MAX_SQLITE_BUSY_ATTEMPTS : MAX_ATTEMPTS;
                if (attempt < attempts && (dialect.isTransient(e) || broken)) {
                    backOff(attempt);
                    continue;
                }
                throw failure(what, e);
            } finally {
                pool.release(c, broken);
            }
        }
    }

    /**
     * Runs work as one transaction, serialized with every other write to this registry. A
     * {@link KamiException} thrown by the work (a conflict, a missing tool) rolls back and passes
     * through; a transient database failure rolls back and runs the work again.
     *
     * @param what what is being written, for the message of a failure
     */
    <T> T write(String what, SqlWork<T> work) {
        checkOpen();
        writeLock.lock();
        try {
            checkOpen();
            for (int attempt = 1; ; attempt++) {
                try {
                    return dialect == Dialect.SQLITE ? sqliteTransaction(work) : postgresTransaction(work);
                } catch (SQLException e) {
                    int attempts = dialect == Dialect.SQLITE ? MAX_SQLITE_BUSY_ATTEMPTS : MAX_ATTEMPTS;
                    if (attempt < attempts && dialect.isTransient(e)) {
                        LOG.debug("registry write '{}' hit a transient failure (attempt {}): {}", what, attempt, e.toString());
                        backOff(attempt);
                        continue;
                    }
                    throw failure(what, e);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T sqliteTransaction(SqlWork<T> work) throws SQLException {
        Connection c = sqliteWriter;
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
        boolean committed = false;
        try {
            T result = work.run(c);
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
            committed = true;
            return result;
        } finally {
            if (!committed) {
                rollbackQuietly(c, "ROLLBACK");
            }
        }
    }

    private <T> T postgresTransaction(SqlWork<T> work) throws SQLException {
        Connection c = pool.borrow();
        boolean broken = false;
        try {
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
                    lock.setInt(1, ADVISORY_LOCK_CLASS);
                    lock.setInt(2, advisoryKey);
                    lock.execute();
                }
                T result = work.run(c);
                c.commit();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    try {
                        c.rollback();
                    } catch (SQLException e) {
                        broken = true;
                    }
                }
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    broken = true;
                }
            }
        } catch (SQLException e) {
            broken |= dialect.isBroken(e);
            throw e;
        } finally {
            pool.release(c, broken);
        }
    }

    private static void rollbackQuietly(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException ignored) {
            // no transaction was active (BEGIN failed) or the connection is gone; nothing to undo
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(5L * attempt + ThreadLocalRandom.current().nextInt(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a registry transaction", e);
        }
    }

    private StoreException failure(String what, SQLException e) {
        String hint;
        if (dialect.isTransient(e)) {
            hint = "another writer kept the registry busy; retry later, or raise the store option 'busy.timeout.ms'";
        } else if (dialect == Dialect.SQLITE) {
            hint = "check that the file is a KAMI registry (a SQLite database), is writable and has free disk space;"
                    + " the registry was left unchanged";
        } else {
            hint = "check the database server, its log and the user's rights on the schema; the registry was left unchanged";
        }
        return new StoreException("registry " + displayUrl + " failed to " + what + ": " + e.getMessage()
                + " (SQL state " + e.getSQLState() + "); " + hint, e);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the tool store on " + displayUrl + " is closed; open a new one");
        }
    }

    /** Closes every connection; idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pool.close();
            if (sqliteWriter != null) {
                ConnectionPool.closeQuietly(sqliteWriter);
            }
        } finally {
            writeLock.unlock();
        }
    }
}
