package dev.kami.store.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the tests use: {@code KAMI_TEST_PG_URL}, or a skip with a visible reason.
 * Each test gets a schema of its own, dropped afterwards.
 */
final class PgSupport implements AutoCloseable {
    static final String ENV = "KAMI_TEST_PG_URL";

    final String baseUrl;
    final String schema;

    private PgSupport(String baseUrl, String schema) {
        this.baseUrl = baseUrl;
        this.schema = schema;
    }

    /** Skips the calling test when no server is configured; else creates a fresh schema. */
    static PgSupport create() {
        String url = System.getenv(ENV);
        Assumptions.assumeTrue(url != null && !url.isBlank(), ENV + " is not set: PostgreSQL tests skipped");
        PgSupport pg = new PgSupport(url, "kami_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        pg.exec("CREATE SCHEMA " + pg.schema);
        return pg;
    }

    /** @return the server URL with this test's schema as the current schema */
    String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    void exec(String sql) {
        try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + ENV + " failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
