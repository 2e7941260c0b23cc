package dev.kami.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.InstallOptions;
import dev.kami.Kami;
import dev.kami.ToolResult;
import dev.kami.manifest.ToolId;
import dev.kami.spi.HistoryEntry;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.StoreProvider;
import dev.kami.spi.ToolStore;
import java.util.stream.Collectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 8 threads installing, updating, uninstalling and calling on one registry: no lock error
 * escapes, nothing is lost, and the history tells the same story as the final state.
 */
@Timeout(300)
class ConcurrentRegistryTest {
    static final int THREADS = 8;
    static final int ROUNDS = 6;

    @TempDir
    Path dir;

    @Test
    void eightThreadsOnOneSqliteFile() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("registry.db");
        run(Kami.builder().home(dir).storeUrl(url).workers(4), url);
    }

    @Test
    void eightThreadsOnOnePostgresDatabase() throws Exception {
        try (Registries.PgSchema pg = new Registries.PgSchema()) {
            run(Kami.builder().home(dir).storeUrl(pg.url()).workers(4), pg.url());
        }
    }

    private void run(Kami.Builder builder, String url) throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Set<String> expected = new TreeSet<>();
        for (int t = 0; t < THREADS; t++) {
            for (int i = 0; i < ROUNDS; i++) {
                if (i % 3 != 2) { // every third tool is uninstalled again
                    expected.add("dev.kami.t" + t + "r" + i);
                }
            }
        }
        expected.add("dev.kami.echo");
        try (Kami kami = builder.build()) {
            kami.install(Registries.ECHO);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        String id = "dev.kami.t" + thread + "r" + i;
                        try {
                            kami.install(Registries.echoCopy(dir, id, "1.0.0"));
                            expectEcho(kami.call(id, "{\"message\":\"" + id + "\"}"), id);
                            kami.update(id, Registries.echoCopy(dir, id, "1.1.0").toString(), InstallOptions.defaults());
                            expectEcho(kami.call("dev.kami.echo", "{\"message\":\"shared\"}"), "shared");
                            if (i % 3 == 2) {
                                assertThat(kami.uninstall(id)).isTrue();
                            }
                        } catch (Throwable e) {
                            failures.add(new AssertionError("thread " + thread + ", " + id + ": " + e, e));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(240, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(failures).as("failures").isEmpty();

            assertThat(new TreeSet<>(kami.list().stream().map(x -> x.id().value()).toList())).isEqualTo(expected);
            for (String id : expected) {
                if (!id.equals("dev.kami.echo")) {
                    assertThat(kami.tool(id).manifest().version().toString()).as(id).isEqualTo("1.1.0");
                    expectEcho(kami.call(id, "{\"message\":\"after\"}"), "after");
                }
            }
        }
        // reopen: everything written is there, and the history matches the final state
        try (Kami again = builder.build()) {
            assertThat(again.list()).hasSize(expected.size());
            assertThat(again.verify("dev.kami.t0r0").manifest().version().toString()).isEqualTo("1.1.0");
        }
        assertHistory(url);
    }

    /** One history line per successful write: the registry's own account of what happened. */
    private void assertHistory(String url) {
        StoreProvider jdbc = ServiceLoader.load(StoreProvider.class).findFirst().orElseThrow();
        try (ToolStore store = jdbc.open(new StoreConfig(dir, url, Map.of()))) {
            Map<HistoryEntry.Action, Long> counts = store.history(null, 10_000).stream()
                    .collect(Collectors.groupingBy(HistoryEntry::action, Collectors.counting()));
            assertThat(counts).containsEntry(HistoryEntry.Action.INSTALL, (long) THREADS * ROUNDS + 1)
                    .containsEntry(HistoryEntry.Action.UPDATE, (long) THREADS * ROUNDS)
                    .containsEntry(HistoryEntry.Action.UNINSTALL, (long) THREADS * (ROUNDS / 3));
            assertThat(store.history(ToolId.of("dev.kami.t3r2"), 10)).extracting(HistoryEntry::action)
                    .containsExactly(HistoryEntry.Action.UNINSTALL, HistoryEntry.Action.UPDATE, HistoryEntry.Action.INSTALL);
        }
    }

    private static void expectEcho(ToolResult r, String message) {
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.text()).contains(message);
    }
}
