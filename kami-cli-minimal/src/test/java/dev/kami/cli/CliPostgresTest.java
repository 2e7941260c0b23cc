package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kami} jar on a PostgreSQL registry ({@code [store] url = "jdbc:postgresql://…"} in
 * config.toml), against the server named by {@code KAMI_TEST_PG_URL} (skipped with a visible
 * message when unset), in a schema of its own that is dropped afterwards.
 */
@Timeout(300)
class CliPostgresTest {
    static final String ENV = "KAMI_TEST_PG_URL";

    @TempDir
    Path home;

    @Test
    void theJarInstallsListsAndRunsAToolInAPostgresRegistry() throws Exception {
        String base = System.getenv(ENV);
        Assumptions.assumeTrue(base != null && !base.isBlank(), ENV + " is not set (e.g. jdbc:postgresql://127.0.0.1:5432/"
                + "test?user=postgres): the PostgreSQL registry test of the kami jar is skipped");
        String schema = "kami_cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec(base, "CREATE SCHEMA " + schema);
        try {
            String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            Files.writeString(home.resolve(CliConfig.FILE), "[store]\nurl = \"" + url + "\"\n");

            KamiRunner.jar(home, "install", "--yes", KamiRunner.sample("echo").toString()).expect(0);
            assertThat(KamiRunner.jar(home, "list").expect(0).out()).contains("dev.kami.echo");
            assertThat(KamiRunner.jar(home, "exec", "dev.kami.echo", "{\"message\":\"from postgres\"}")
                    .expect(0).out()).contains("from postgres");
            assertThat(count(base, schema)).as("tools stored in the PostgreSQL schema").isEqualTo(1);
            assertThat(home.resolve("registry.db")).as("no SQLite registry beside it").doesNotExist();
        } finally {
            exec(base, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static void exec(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int count(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM " + schema + ".kami_tools")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
