package dev.kami.store.jdbc;

import static dev.kami.tck.store.StoreFixtures.module;
import static dev.kami.tck.store.StoreFixtures.record;
import static dev.kami.tck.store.StoreFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.manifest.ToolId;
import dev.kami.policy.Grants;
import dev.kami.spi.HistoryEntry;
import dev.kami.spi.HistoryEntry.Action;
import dev.kami.spi.StoreConfig;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM writing tools with 1 MiB modules is killed with SIGKILL in the middle of its
 * writes; the registry must reopen consistent: every tool has its blob and grants, no blob is
 * orphaned, the history matches the tools, and every write the child reported as committed is
 * there. Meanwhile this process writes through a store of its own, so the two processes contend for
 * the registry as two nodes would.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashSafetyTest {
    private static final String EOF = "\u0000eof";

    @TempDir
    Path dir;

    @Test
    void sqliteRegistryIsConsistentAfterTheWriterIsKilled() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("registry.db");
        Set<String> everInstalled = new HashSet<>();
        for (String round : List.of("r1", "r2")) {
            List<String> lines = runAndKill(url, round);
            verify(url, lines, everInstalled);
        }
        assertThat(Sql.column(url, "PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void postgresRegistryIsConsistentAfterTheWriterIsKilled() throws Exception {
        try (PgSupport pg = PgSupport.create()) {
            List<String> lines = runAndKill(pg.url(), "r1");
            verify(pg.url(), lines, new HashSet<>());
        }
    }

    private List<String> runAndKill(String url, String round) throws Exception {
        Path stderr = dir.resolve("child-" + round + ".err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), url, round, "400")
                .redirectError(stderr.toFile())
                .start();
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    queue.add(line);
                }
            } catch (IOException ignored) {
                // the child died; what it wrote before is in the queue
            } finally {
                queue.add(EOF);
            }
        }, "crash-child-stdout");
        pump.setDaemon(true);
        pump.start();

        List<String> lines = new ArrayList<>();
        int target = 6 + new Random().nextInt(6);
        long inserted = 0;
        // this process writes too, through its own store, while the child writes: another process
        // holding the registry must be waited for, never reported as "database is locked"
        try (ToolStore parent = new JdbcStoreProvider().open(new StoreConfig(dir, url, Map.of()))) {
            int k = 0;
            while (inserted < target) {
                String line = queue.poll(60, TimeUnit.SECONDS);
                assertThat(line).as("child output; its stderr: %s", readQuietly(stderr)).isNotNull().isNotEqualTo(EOF);
                lines.add(line);
                if (line.startsWith("inserted ")) {
                    inserted++;
                }
                ToolId id = ToolId.of("parent." + round + ".t" + (k / 2));
                if (k++ % 2 == 0) {
                    byte[] m = module("parent " + round + " " + k);
                    parent.insert(record(id.value(), "1.0.0", m), m, Grants.fromTexts(CrashChild.GRANTS));
                } else if (k % 4 == 0) {
                    assertThat(parent.remove(id)).isTrue();
                }
            }
        }
        // kill a few milliseconds after a write began: a 1 MiB install takes 10 to 50 ms here, so
        // the child dies inside the transaction most of the time
        for (String line = ""; !line.startsWith("begin "); ) {
            line = queue.poll(60, TimeUnit.SECONDS);
            assertThat(line).as("child output; its stderr: %s", readQuietly(stderr)).isNotNull().isNotEqualTo(EOF);
            lines.add(line);
        }
        Thread.sleep(new Random().nextInt(8));
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child died").isTrue();
        for (String line; !EOF.equals(line = queue.poll(30, TimeUnit.SECONDS)); ) {
            assertThat(line).as("child output after the kill").isNotNull();
            lines.add(line);
        }
        assertThat(lines).as("the child was killed before it finished").doesNotContain("done");
        assertThat(child.exitValue()).as("exit value of a SIGKILLed JVM").isEqualTo(137);
        return lines;
    }

    private void verify(String url, List<String> lines, Set<String> everInstalled) {
        Set<String> acknowledged = new HashSet<>();
        Set<String> replaced = new HashSet<>();
        Set<String> removed = new HashSet<>();
        String inFlight = null;
        for (String line : lines) {
            String id = line.substring(line.lastIndexOf(' ') + 1);
            if (line.startsWith("begin ")) {
                inFlight = id;
            } else if (line.startsWith("inserted ")) {
                acknowledged.add(id);
                everInstalled.add(id);
            } else if (line.startsWith("replaced ")) {
                replaced.add(id);
            } else if (line.startsWith("removed ")) {
                removed.add(id);
            }
            if (!line.startsWith("begin ") && id.equals(inFlight)) {
                inFlight = null;
            }
        }
        // the one write the child began but did not report may have committed or not; both are consistent
        acknowledged.remove(inFlight);
        replaced.remove(inFlight);
        try (ToolStore store = new JdbcStoreProvider().open(new StoreConfig(dir, url, Map.of()))) {
            List<ToolRecord> tools = store.listAll();
            Set<String> ids = tools.stream().map(t -> t.id().value()).collect(Collectors.toSet());

            for (String id : acknowledged) {
                assertThat(ids.contains(id)).as("committed install of %s present", id).isEqualTo(!removed.contains(id));
            }
            for (String id : replaced) {
                if (!removed.contains(id)) {
                    assertThat(store.find(ToolId.of(id)).orElseThrow().version()).as("committed update of %s", id)
                            .hasToString("2.0.0");
                }
            }

            Set<String> referenced = tools.stream().map(ToolRecord::moduleSha256).collect(Collectors.toSet());
            assertThat(new HashSet<>(Sql.column(url, "SELECT sha256 FROM kami_blobs")))
                    .as("stored blobs are exactly the referenced ones (none missing, no orphan)")
                    .isEqualTo(referenced);
            for (ToolRecord t : tools) {
                assertThat(store.readBlob(t.moduleSha256())).as("blob of %s", t.id()).hasValueSatisfying(b -> {
                    assertThat(sha256(b)).isEqualTo(t.moduleSha256());
                    assertThat((long) b.length).isEqualTo(t.moduleSize());
                });
                assertThat(store.grants(t.id())).as("grants of %s", t.id()).isEqualTo(Grants.fromTexts(CrashChild.GRANTS));
            }

            List<HistoryEntry> history = store.history(null, 100_000);
            Map<ToolId, List<HistoryEntry>> byTool = history.stream().collect(Collectors.groupingBy(HistoryEntry::id));
            for (ToolRecord t : tools) {
                assertThat(byTool).as("history of %s", t.id()).containsKey(t.id());
            }
            for (Map.Entry<ToolId, List<HistoryEntry>> e : byTool.entrySet()) {
                boolean installed = ids.contains(e.getKey().value());
                List<HistoryEntry> h = e.getValue();
                long balance = h.stream().filter(x -> x.action() == Action.INSTALL).count()
                        - h.stream().filter(x -> x.action() == Action.UNINSTALL).count();
                assertThat(balance).as("installs minus uninstalls of %s", e.getKey()).isEqualTo(installed ? 1 : 0);
                if (installed) {
                    assertThat(h.get(0).version()).as("last history version of %s", e.getKey())
                            .isEqualTo(store.find(e.getKey()).orElseThrow().version().toString());
                }
            }

            byte[] m = module("after the crash");
            ToolRecord after = record("crash.after.t" + history.size(), "1.0.0", m);
            store.insert(after, m, Grants.none());
            assertThat(store.hasBlob(sha256(m))).as("the registry takes writes after the crash").isTrue();
            assertThat(store.remove(after.id())).isTrue();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
