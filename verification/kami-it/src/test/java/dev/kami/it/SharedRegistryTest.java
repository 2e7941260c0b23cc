package dev.kami.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.KamiListener;
import dev.kami.ToolChange;
import dev.kami.ToolResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two KAMI nodes on one registry: what one installs, the other lists, calls and hears of. */
@Timeout(120)
class SharedRegistryTest {
    @TempDir
    Path dir;

    @Test
    void twoNodesShareOnePostgresRegistry() throws Exception {
        try (Registries.PgSchema pg = new Registries.PgSchema()) {
            check(Kami.builder().home(dir).storeUrl(pg.url()), Kami.builder().home(dir).storeUrl(pg.url()));
        }
    }

    @Test
    void twoNodesShareOneSqliteFile() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("shared.db");
        check(Kami.builder().home(dir).storeUrl(url), Kami.builder().home(dir).storeUrl(url));
    }

    private static void check(Kami.Builder a, Kami.Builder b) throws Exception {
        List<String> heardByB = new CopyOnWriteArrayList<>();
        try (Kami nodeA = a.build();
                Kami nodeB = b.listener(new KamiListener() {
                    @Override
                    public void toolsChanged(ToolChange change) {
                        heardByB.add(change.kind() + " " + change.id());
                    }
                }).build()) {
            nodeA.install(Registries.ECHO);
            assertThat(nodeB.list()).extracting(t -> t.id().value()).containsExactly("dev.kami.echo");
            ToolResult r = nodeB.call("dev_kami_echo", "{\"message\":\"through node B\"}");
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.structuredJson()).isEqualTo("{\"message\":\"through node B\"}");
            waitFor(() -> heardByB.contains("INSTALLED dev.kami.echo"));
            assertThat(nodeB.verify("dev.kami.echo").record().moduleSha256())
                    .isEqualTo(nodeA.tool("dev.kami.echo").record().moduleSha256());

            nodeB.disable("dev.kami.echo");
            assertThat(nodeA.tool("dev.kami.echo").enabled()).isFalse();
            assertThat(nodeA.uninstall("dev.kami.echo")).isTrue();
            waitFor(() -> heardByB.contains("REMOVED dev.kami.echo"));
            assertThat(nodeB.list()).isEmpty();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("condition within 15 s").isTrue();
    }
}
