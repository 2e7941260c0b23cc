package dev.kami.store.jdbc.internal;

import dev.kami.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward-only schema migrations: {@code dev/kami/store/jdbc/migrations/<dialect>/V<n>.sql},
 * numbered from 1 without gaps, applied in order inside one write transaction (so two nodes
 * starting at once on a fresh database apply them once), and recorded in
 * {@code kami_schema_version}. A database whose version is newer than the newest file is refused
 * (ADR 0201).
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final String ROOT = "/dev/kami/store/jdbc/migrations/";

    private Migrations() {
    }

    /** @return the SQL scripts of a dialect, index 0 holding version 1 */
    static List<String> scripts(Dialect dialect) {
        List<String> scripts = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in = Migrations.class.getResourceAsStream(ROOT + dialect.folder() + "/V" + v + ".sql")) {
                if (in == null) {
                    return scripts;
                }
                scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new StoreException("cannot read the registry migration V" + v + ".sql for " + dialect.folder()
                        + " from the kami-store-jdbc jar; the jar is damaged, replace it", e);
            }
        }
    }

    /** @return the newest schema version this code knows */
    public static int latest(Dialect dialect) {
        return scripts(dialect).size();
    }

    /**
     * Brings the database to the newest version, or refuses it when it is newer than this code.
     *
     * @return the schema version the database has now
     * @throws StoreException naming both versions when the database is newer
     */
    public static int migrate(Database db) {
        List<String> scripts = scripts(db.dialect());
        int latest = scripts.size();
        return db.write("migrate its schema", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS kami_schema_version (version INTEGER PRIMARY KEY,"
                        + " description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
            }
            int current = currentVersion(c);
            if (current > latest) {
                throw new StoreException("the registry " + db.displayUrl() + " has schema version " + current
                        + " but this kami-store-jdbc knows versions up to " + latest + ": a newer KAMI has upgraded it;"
                        + " upgrade this KAMI (kami-store-jdbc) to a release that knows schema " + current
                        + ", or point it at another registry; the database was left unchanged");
            }
            for (int v = current + 1; v <= latest; v++) {
                for (String sql : statements(scripts.get(v - 1))) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO kami_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, "V" + v + ".sql");
                    p.setLong(3, System.currentTimeMillis());
                    p.executeUpdate();
                }
                LOG.info("registry {} migrated to schema version {}", db.displayUrl(), v);
            }
            return latest;
        });
    }

    static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM kami_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Splits a script into statements: comment lines dropped, split at {@code ;}. */
    static List<String> statements(String script) {
        StringBuilder body = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (!line.strip().startsWith("--")) {
                body.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String part : body.toString().split(";")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }
}
