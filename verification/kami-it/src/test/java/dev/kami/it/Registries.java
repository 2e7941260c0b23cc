package dev.kami.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** Real registries for the tests: a SQLite file, or a fresh schema on the PostgreSQL server. */
final class Registries {
    static final String PG_ENV = "KAMI_TEST_PG_URL";
    static final Path ECHO = Path.of("..", "..", "samples", "tools", "echo");

    private Registries() {
    }

    /** A PostgreSQL schema of its own, dropped on close; skips the test when no server is configured. */
    static final class PgSchema implements AutoCloseable {
        final String base;
        final String schema = "kami_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

        PgSchema() {
            String url = System.getenv(PG_ENV);
            Assumptions.assumeTrue(url != null && !url.isBlank(), PG_ENV + " is not set: PostgreSQL tests skipped");
            this.base = url;
            exec("CREATE SCHEMA " + schema);
        }

        String url() {
            return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        private void exec(String sql) {
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL at " + PG_ENV + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** A copy of the echo sample under another id and version (same module bytes). */
    static Path echoCopy(Path dir, String id, String version) throws IOException {
        Path p = dir.resolve(id + "-" + version);
        Files.createDirectories(p);
        Files.copy(ECHO.resolve("echo.wasm"), p.resolve("echo.wasm"));
        String toml = Files.readString(ECHO.resolve("tool.toml"))
                .replace("id = \"dev.kami.echo\"", "id = \"" + id + "\"")
                .replace("version = \"1.0.0\"", "version = \"" + version + "\"");
        Files.writeString(p.resolve("tool.toml"), toml);
        return p;
    }
}
