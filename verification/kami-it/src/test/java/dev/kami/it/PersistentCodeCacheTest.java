package dev.kami.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.ToolResult;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled-code cache across restarts, on SQLite and (with {@code KAMI_TEST_PG_URL}) on
 * PostgreSQL: an install compiles and keeps the classes; a restarted {@code Kami} loads them
 * instead of compiling; damaged or foreign entries are compiled again, never loaded; uninstall
 * evicts them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PersistentCodeCacheTest {
    private static final String ECHO = "dev.kami.echo";
    private static final String ARGS = "{\"message\":\"cached\"}";
    @TempDir
    Path dir;

    @Test
    void aRestartLoadsTheCompiledModuleFromSqlite() throws Exception {
        restartLoadsInsteadOfCompiling("jdbc:sqlite:" + dir.resolve("registry.db"));
    }

    @Test
    void aRestartLoadsTheCompiledModuleFromPostgres() throws Exception {
        try (Registries.PgSchema pg = new Registries.PgSchema()) {
            restartLoadsInsteadOfCompiling(pg.url());
        }
    }

    private void restartLoadsInsteadOfCompiling(String url) throws Exception {
        try (Kami kami = Kami.builder().home(dir).storeUrl(url).build()) {
            kami.install(Registries.ECHO);
            assertThat(kami.metrics().compilations()).as("compiled at install").isEqualTo(1);
        }
        List<String[]> rows = rows(url, "SELECT cache_key, code_sha256, size FROM kami_compiled");
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r[0]).startsWith("chicory-1.7.5;");
            assertThat(r[1]).hasSize(64);
        });
        assertThat(rows(url, "SELECT abi FROM kami_blobs")).singleElement()
                .satisfies(r -> assertThat(r[0]).isEqualTo("kami-v1"));

        try (Kami restarted = Kami.builder().home(dir).storeUrl(url).build()) {
            ToolResult r = restarted.call(ECHO, ARGS);
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.text()).contains("cached");
            assertThat(restarted.metrics().compilations()).as("loaded, not compiled").isZero();
        }

        // loadAll (what 'kami serve' runs first) loads from the cache: the first call finds it loaded
        try (Kami serving = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(serving.loadAll()).isEmpty();
            assertThat(serving.metrics().compilations()).isZero();
            assertThat(serving.call(ECHO, ARGS).isError()).isFalse();
            assertThat(serving.metrics().cacheHits()).isEqualTo(1);
        }

        // code that no longer matches its recorded digest is compiled again, and replaced
        exec(url, "UPDATE kami_compiled SET code = ?", "PK not the classes any more".getBytes());
        try (Kami after = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(after.call(ECHO, ARGS).text()).contains("cached");
            assertThat(after.metrics().compilations()).as("damaged entry: compiled").isEqualTo(1);
        }
        List<String[]> repaired = rows(url, "SELECT code_sha256, code FROM kami_compiled");
        assertThat(repaired).singleElement().satisfies(r -> assertThat(r[0]).hasSize(64)
                .as("an HMAC under the home's key, not the bytes' plain SHA-256").isNotEqualTo(r[1]));
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("code-cache.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        // a writer of the database who rewrites code and its digest together, without the key, is not loaded
        byte[] forged = "PK a forged jar of classes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement p = c.prepareStatement("UPDATE kami_compiled SET code = ?, code_sha256 = ?")) {
            p.setBytes(1, forged);
            p.setString(2, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(forged)));
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
        try (Kami after = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(after.call(ECHO, ARGS).text()).contains("cached");
            assertThat(after.metrics().compilations()).as("forged entry: compiled, not loaded").isEqualTo(1);
        }

        // an entry of another Chicory version is not this engine's: compiled again, kept beside it
        exec(url, "UPDATE kami_compiled SET cache_key = replace(cache_key, 'chicory-1.7.5;', 'chicory-0.0.1;')",
                null);
        try (Kami other = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(other.call(ECHO, ARGS).isError()).isFalse();
            assertThat(other.metrics().compilations()).isEqualTo(1);
        }
        assertThat(rows(url, "SELECT cache_key FROM kami_compiled ORDER BY cache_key")).hasSize(2);

        try (Kami kami = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(kami.uninstall(ECHO)).isTrue();
        }
        assertThat(rows(url, "SELECT cache_key FROM kami_compiled")).as("evicted with the module").isEmpty();
    }

    @Test
    void aModuleEvictedFromMemoryIsLoadedFromTheRegistryNotCompiled() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("evict.db");
        try (Kami kami = Kami.builder().home(dir).storeUrl(url).cacheMaxEntries(1).build()) {
            kami.install(Registries.ECHO);
            kami.install(Path.of("..", "..", "samples", "tools", "hello-wat"));
            long compiled = kami.metrics().compilations();
            assertThat(compiled).isEqualTo(2);
            for (int i = 0; i < 6; i++) { // round-robin over a cache of one: every call misses memory
                assertThat(kami.call(ECHO, ARGS).isError()).isFalse();
                ToolResult hello = kami.call("dev.kami.hello-wat", "{\"name\":\"x\"}");
                assertThat(hello.isError()).as(hello.text()).isFalse();
            }
            assertThat(kami.metrics().cacheMisses()).isGreaterThanOrEqualTo(12);
            assertThat(kami.metrics().compilations()).as("misses load, they do not compile").isEqualTo(compiled);
        }
    }

    @Test
    void aModuleWhoseAbiWasNotRecordedIsDetectedOnceAndRecorded() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("abi.db");
        Path pkg = dir.resolve("no-abi"); // the manifest names no ABI: it is detected from the module
        java.nio.file.Files.createDirectories(pkg);
        java.nio.file.Files.copy(Registries.ECHO.resolve("echo.wasm"), pkg.resolve("echo.wasm"));
        String toml = java.nio.file.Files.readString(Registries.ECHO.resolve("tool.toml"));
        assertThat(toml).contains("abi = \"kami-v1\"\n");
        java.nio.file.Files.writeString(pkg.resolve("tool.toml"), toml.replace("abi = \"kami-v1\"\n", ""));
        try (Kami kami = Kami.builder().home(dir).storeUrl(url).build()) {
            kami.install(pkg);
        }
        assertThat(rows(url, "SELECT abi FROM kami_blobs")).singleElement()
                .satisfies(r -> assertThat(r[0]).as("recorded at install").isEqualTo("kami-v1"));
        exec(url, "UPDATE kami_blobs SET abi = NULL", null); // as a registry migrated from schema 1
        try (Kami kami = Kami.builder().home(dir).storeUrl(url).build()) {
            assertThat(kami.list()).singleElement().satisfies(t -> assertThat(t.abi().label()).isEqualTo("kami-v1"));
        }
        assertThat(rows(url, "SELECT abi FROM kami_blobs")).singleElement()
                .satisfies(r -> assertThat(r[0]).isEqualTo("kami-v1"));
    }

    /** @return the rows, each column as text; a bytes column as the SHA-256 of its bytes */
    private static List<String[]> rows(String url, String sql) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); PreparedStatement p = c.prepareStatement(sql);
                ResultSet rs = p.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    String type = rs.getMetaData().getColumnTypeName(i + 1).toLowerCase(java.util.Locale.ROOT);
                    row[i] = type.contains("blob") || type.contains("bytea")
                            ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rs.getBytes(i + 1)))
                            : rs.getString(i + 1);
                }
                out.add(row);
            }
        }
        return out;
    }

    private static void exec(String url, String sql, byte[] bytes) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement p = c.prepareStatement(sql)) {
            if (bytes != null) {
                p.setBytes(1, bytes);
            }
            assertThat(p.executeUpdate()).as(sql).isEqualTo(1);
        }
    }
}
