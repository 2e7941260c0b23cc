package dev.kami.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void sqliteConnectionsUseWalForeignKeysABusyTimeoutAndFullSync() {
        try (Database db = Database.openSqlite("jdbc:sqlite:" + dir.resolve("r.db"), 1234, 2)) {
            String reader = db.read("read pragmas", DatabaseTest::pragmas);
            String writer = db.write("read pragmas", DatabaseTest::pragmas);

            assertThat(reader).isEqualTo("wal 1 1234 2");
            assertThat(writer).isEqualTo("wal 1 1234 2");
        }
    }

    @Test
    void migrationScriptsSplitIntoStatementsWithoutComments() {
        assertThat(Migrations.statements("-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n\n"
                + "  -- another\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)");
    }

    @Test
    void urlsInMessagesHideThePassword() {
        assertThat(Urls.redact("jdbc:postgresql://h/db?user=u&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(Urls.redact("jdbc:postgresql://u:secret@h/db")).isEqualTo("jdbc:postgresql://u:***@h/db");
    }

    private static String pragmas(java.sql.Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        for (String p : new String[] {"journal_mode", "foreign_keys", "busy_timeout", "synchronous"}) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + p)) {
                rs.next();
                out.append(out.length() == 0 ? "" : " ").append(rs.getString(1));
            }
        }
        return out.toString();
    }
}
