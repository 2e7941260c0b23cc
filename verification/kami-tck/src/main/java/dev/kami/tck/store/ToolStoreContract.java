package dev.kami.tck.store;

import static dev.kami.tck.store.StoreFixtures.T0;
import static dev.kami.tck.store.StoreFixtures.module;
import static dev.kami.tck.store.StoreFixtures.record;
import static dev.kami.tck.store.StoreFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ToolConflictException;
import dev.kami.ToolNotFoundException;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolVersion;
import dev.kami.policy.Grants;
import dev.kami.spi.HistoryEntry;
import dev.kami.spi.HistoryEntry.Action;
import dev.kami.spi.Page;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.ToolStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link ToolStore} passes. A provider's test subclasses it once and says how
 * to open an empty store:
 *
 * <pre>{@code
 * class SqliteToolStoreTest extends ToolStoreContract {
 *     @TempDir Path dir;
 *     protected ToolStore openStore() { return new JdbcStoreProvider().open(new StoreConfig(dir, null, Map.of())); }
 *     protected ToolStore reopenStore() { return openStore(); }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty store from {@link #openStore()} and closes it afterwards. What
 * the contract fixes beyond the interface's documentation: a replace keeps the first
 * {@code installedAt}; instants survive at least to the millisecond; every successful write adds
 * exactly one history line and a refused write adds none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ToolStoreContract {

    /** The store under test, opened before each test. */
    protected ToolStore store;

    /** @return a new, empty store; called once before each test */
    protected abstract ToolStore openStore();

    /**
     * Opens the same store again after it was closed, for the reopen test.
     *
     * @return the reopened store, or {@code null} when the store is not persistent (the reopen test
     *     is then skipped)
     */
    protected ToolStore reopenStore() {
        return null;
    }

    /**
     * Opens a second instance on the same registry while {@link #store} stays open, as a second
     * process or node would (its own connections, no lock shared in memory).
     *
     * @return the second instance (the contract closes it), or {@code null} when the store cannot
     *     be shared (the sharing tests are then skipped)
     */
    protected ToolStore openSharedStore() {
        return null;
    }

    @BeforeEach
    void openTheStore() {
        store = openStore();
        assertThat(store).as("openStore()").isNotNull();
    }

    @AfterEach
    void closeTheStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- round trips -------------------------------------------------------------------------------

    @Test
    void insertedToolRoundTripsEveryField() {
        byte[] m = module("full");
        ToolRecord full = new ToolRecord(ToolId.of("dev.kami.fetch"), "fetch ✓", ToolVersion.parse("1.0.0-rc.1+build.5"),
                "Fetches a URL — ünïcode, 'quotes' and \"double quotes\"", "dev_kami_fetch",
                StoreFixtures.manifest("dev.kami.fetch", "1.0.0-rc.1+build.5") + "# line\n\ttab\n", sha256(m), m.length,
                "ab".repeat(64), "cd".repeat(32), false, "1.0.0", "https://example.org/fetch.zip", T0,
                T0.plusMillis(1234));
        ToolRecord plain = record("dev.kami.echo", "2.3.4", module("plain"));

        store.insert(full, m, Grants.none());
        store.insert(plain, module("plain"), Grants.none());

        assertThat(store.find(full.id())).contains(full);
        assertThat(store.find(plain.id())).contains(plain);
        assertThat(store.findByMcpName("dev_kami_fetch")).contains(full);
        assertThat(store.findByMcpName(plain.mcpName())).contains(plain);
    }

    @Test
    void findReturnsEmptyForAnUnknownIdOrMcpName() {
        store.insert(record("dev.kami.echo", "1.0.0", module("e")), module("e"), Grants.none());

        assertThat(store.find(ToolId.of("dev.kami.other"))).isEmpty();
        assertThat(store.findByMcpName("dev_kami_other")).isEmpty();
    }

    @Test
    void replaceStoresTheNewVersionAndKeepsTheFirstInstallTime() {
        byte[] m1 = module("v1");
        byte[] m2 = module("v2");
        ToolRecord v1 = record("dev.kami.echo", "1.0.0", m1, T0);
        ToolRecord v2 = record("dev.kami.echo", "2.0.0", m2, T0.plus(Duration.ofDays(3)));
        store.insert(v1, m1, Grants.none());

        store.replace(v2, m2);

        ToolRecord expected = new ToolRecord(v2.id(), v2.name(), v2.version(), v2.description(), v2.mcpName(),
                v2.manifestToml(), v2.moduleSha256(), v2.moduleSize(), null, null, true, null, v2.source(),
                v1.installedAt(), v2.updatedAt());
        assertThat(store.find(v1.id())).contains(expected);
        assertThat(store.readBlob(sha256(m2))).hasValueSatisfying(b -> assertThat(b).isEqualTo(m2));
        assertThat(store.hasBlob(sha256(m1))).as("old module blob, no longer referenced").isFalse();
    }

    @Test
    void replaceWithTheSameModuleKeepsItsBlob() {
        byte[] m = module("same");
        store.insert(record("dev.kami.echo", "1.0.0", m), m, Grants.none());

        store.replace(record("dev.kami.echo", "1.0.0", m, T0.plusSeconds(60)), m);

        assertThat(store.readBlob(sha256(m))).hasValueSatisfying(b -> assertThat(b).isEqualTo(m));
        assertThat(store.find(ToolId.of("dev.kami.echo")).orElseThrow().updatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void replaceOfAnUnknownIdIsToolNotFoundNamingTheId() {
        assertThatThrownBy(() -> store.replace(record("dev.kami.ghost", "1.0.0", module("g")), module("g")))
                .isInstanceOf(ToolNotFoundException.class)
                .hasMessageContaining("dev.kami.ghost");
        assertThat(store.hasBlob(sha256(module("g")))).isFalse();
        assertThat(store.history(null, 10)).isEmpty();
    }

    // ---- uniqueness ----------------------------------------------------------------------------------

    @Test
    void insertRefusesAnInstalledIdAndLeavesNoTrace() {
        store.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none());
        long counter = store.changeCounter();

        assertThatThrownBy(() -> store.insert(record("dev.kami.echo", "2.0.0", module("b")), module("b"), Grants.none()))
                .isInstanceOf(ToolConflictException.class)
                .hasMessageContaining("dev.kami.echo");

        assertThat(store.find(ToolId.of("dev.kami.echo")).orElseThrow().version()).hasToString("1.0.0");
        assertThat(store.hasBlob(sha256(module("b")))).as("blob of the refused insert").isFalse();
        assertThat(store.history(null, 10)).hasSize(1);
        assertThat(store.changeCounter()).isEqualTo(counter);
    }

    @Test
    void insertRefusesAnMcpNameTakenByAnotherTool() {
        store.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none());
        ToolRecord clash = StoreFixtures.withMcpName(record("dev.kami.other", "1.0.0", module("b")), "dev_kami_echo");

        assertThatThrownBy(() -> store.insert(clash, module("b"), Grants.none()))
                .isInstanceOf(ToolConflictException.class)
                .hasMessageContaining("dev_kami_echo")
                .hasMessageContaining("dev.kami.echo");

        assertThat(store.find(clash.id())).isEmpty();
        assertThat(store.hasBlob(sha256(module("b")))).isFalse();
        assertThat(store.history(clash.id(), 10)).isEmpty();
    }

    @Test
    void replaceRefusesAnMcpNameTakenByAnotherTool() {
        store.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none());
        store.insert(record("dev.kami.other", "1.0.0", module("b")), module("b"), Grants.none());
        ToolRecord clash = StoreFixtures.withMcpName(record("dev.kami.other", "2.0.0", module("c")), "dev_kami_echo");

        assertThatThrownBy(() -> store.replace(clash, module("c")))
                .isInstanceOf(ToolConflictException.class)
                .hasMessageContaining("dev_kami_echo");

        assertThat(store.find(clash.id()).orElseThrow().version()).hasToString("1.0.0");
        assertThat(store.hasBlob(sha256(module("c")))).isFalse();
        assertThat(store.hasBlob(sha256(module("b")))).isTrue();
    }

    @Test
    void aToolMayKeepItsOwnMcpNameAcrossReplace() {
        store.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none());

        store.replace(record("dev.kami.echo", "1.1.0", module("b")), module("b"));

        assertThat(store.findByMcpName("dev_kami_echo").orElseThrow().version()).hasToString("1.1.0");
    }

    // ---- listing ---------------------------------------------------------------------------------------

    @Test
    void listIsOrderedByIdAndTheCursorWalkVisitsEveryToolOnce() {
        // '-' < '.' < digits < letters in String order; a locale-aware collation would get these wrong
        List<String> ids = new ArrayList<>(List.of("a.b", "a.b-c", "a.b.c", "a.bc", "a-b.c", "a0.b", "z.z", "dev.kami.x"));
        Collections.shuffle(ids, new Random(42));
        for (String id : ids) {
            store.insert(record(id, "1.0.0", module(id)), module(id), Grants.none());
        }
        List<String> expected = ids.stream().map(ToolId::of).sorted().map(ToolId::value).collect(Collectors.toList());

        List<String> walked = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<ToolRecord> page = store.list(cursor, 3);
            page.items().forEach(t -> walked.add(t.id().value()));
            sizes.add(page.items().size());
            cursor = page.nextCursor();
            assertThat(++pages).as("pages walked").isLessThanOrEqualTo(10);
        } while (cursor != null);

        assertThat(walked).containsExactlyElementsOf(expected);
        assertThat(sizes).containsExactly(3, 3, 2);
        assertThat(store.listAll().stream().map(t -> t.id().value())).containsExactlyElementsOf(expected);
        assertThat(store.list(null, 100).nextCursor()).isNull();
    }

    @Test
    void aCursorStaysValidWhenItsToolIsRemoved() {
        for (String id : List.of("a.a", "a.b", "a.c", "a.d")) {
            store.insert(record(id, "1.0.0", module(id)), module(id), Grants.none());
        }
        Page<ToolRecord> first = store.list(null, 2);
        store.remove(ToolId.of("a.b"));

        Page<ToolRecord> second = store.list(first.nextCursor(), 2);

        assertThat(second.items()).extracting(t -> t.id().value()).containsExactly("a.c", "a.d");
    }

    @Test
    void listOfAnEmptyStoreIsOneEmptyPage() {
        Page<ToolRecord> page = store.list(null, 10);

        assertThat(page.items()).isEmpty();
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void listRefusesACursorItDidNotMakeNamingIt() {
        assertThatThrownBy(() -> store.list("not-a-cursor!", 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-a-cursor!");
        assertThatThrownBy(() -> store.list("bm9wZQ", 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bm9wZQ");
    }

    @Test
    void listRefusesANonPositiveLimit() {
        assertThatThrownBy(() -> store.list(null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }

    // ---- blobs -------------------------------------------------------------------------------------------

    @Test
    void aModuleIsStoredUnderItsSha256() {
        byte[] m = module(7, 100_000);
        store.insert(record("dev.kami.big", "1.0.0", m), m, Grants.none());

        assertThat(store.hasBlob(sha256(m))).isTrue();
        assertThat(store.readBlob(sha256(m))).hasValueSatisfying(b -> assertThat(b).isEqualTo(m));
        assertThat(store.hasBlob("0".repeat(64))).isFalse();
        assertThat(store.readBlob("0".repeat(64))).isEmpty();
    }

    @Test
    void toolsSharingAModuleShareOneBlobUntilTheLastIsRemoved() {
        byte[] m = module("shared");
        store.insert(record("dev.kami.one", "1.0.0", m), m, Grants.none());
        store.insert(record("dev.kami.two", "1.0.0", m), m, Grants.none());

        assertThat(store.remove(ToolId.of("dev.kami.one"))).isTrue();
        assertThat(store.readBlob(sha256(m))).as("blob still used by dev.kami.two")
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(m));

        assertThat(store.remove(ToolId.of("dev.kami.two"))).isTrue();
        assertThat(store.hasBlob(sha256(m))).as("blob after its last tool is removed").isFalse();
    }

    @Test
    void replaceKeepsAnOldBlobAnotherToolStillUses() {
        byte[] shared = module("shared");
        store.insert(record("dev.kami.one", "1.0.0", shared), shared, Grants.none());
        store.insert(record("dev.kami.two", "1.0.0", shared), shared, Grants.none());

        store.replace(record("dev.kami.one", "2.0.0", module("new")), module("new"));

        assertThat(store.hasBlob(sha256(shared))).isTrue();
        assertThat(store.hasBlob(sha256(module("new")))).isTrue();
    }

    // ---- remove ------------------------------------------------------------------------------------------

    @Test
    void removeDeletesTheToolItsGrantsAndItsBlob() {
        byte[] m = module("r");
        ToolId id = ToolId.of("dev.kami.gone");
        store.insert(record(id.value(), "1.0.0", m), m, Grants.fromTexts(List.of("net:example.com")));

        assertThat(store.remove(id)).isTrue();

        assertThat(store.find(id)).isEmpty();
        assertThat(store.findByMcpName(id.mcpName())).isEmpty();
        assertThat(store.grants(id)).isEqualTo(Grants.none());
        assertThat(store.hasBlob(sha256(m))).isFalse();
        assertThat(store.listAll()).isEmpty();
    }

    @Test
    void removeOfAnUnknownIdReturnsFalseAndWritesNothing() {
        long counter = store.changeCounter();

        assertThat(store.remove(ToolId.of("dev.kami.ghost"))).isFalse();

        assertThat(store.history(null, 10)).isEmpty();
        assertThat(store.changeCounter()).isEqualTo(counter);
    }

    @Test
    void aReinstalledToolDoesNotInheritTheGrantsOfItsPredecessor() {
        ToolId id = ToolId.of("dev.kami.echo");
        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.fromTexts(List.of("env:HOME")));
        store.remove(id);

        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.none());

        assertThat(store.grants(id)).isEqualTo(Grants.none());
    }

    // ---- grants ------------------------------------------------------------------------------------------

    @Test
    void grantsRoundTripAndDefaultToNone() {
        Grants granted = new Grants(FsAccess.READ_ONLY, Path.of("/srv/data").toAbsolutePath(),
                List.of("api.github.com", "*.example.org"), List.of("HOME", "LANG"));
        store.insert(record("dev.kami.a", "1.0.0", module("a")), module("a"), granted);
        store.insert(record("dev.kami.b", "1.0.0", module("b")), module("b"), Grants.none());

        assertThat(store.grants(ToolId.of("dev.kami.a"))).isEqualTo(granted);
        assertThat(store.grants(ToolId.of("dev.kami.b"))).isEqualTo(Grants.none());
        assertThat(store.grants(ToolId.of("dev.kami.unknown"))).isEqualTo(Grants.none());
    }

    @Test
    void setGrantsReplacesTheGrantsAndTheySurviveReplace() {
        ToolId id = ToolId.of("dev.kami.a");
        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.fromTexts(List.of("net:a.example")));
        Grants sandbox = new Grants(FsAccess.SANDBOX, null, List.of("b.example"), List.of("TZ"));

        store.setGrants(id, sandbox);
        assertThat(store.grants(id)).isEqualTo(sandbox);

        store.replace(record(id.value(), "2.0.0", module("b")), module("b"));
        assertThat(store.grants(id)).isEqualTo(sandbox);

        store.setGrants(id, Grants.none());
        assertThat(store.grants(id)).isEqualTo(Grants.none());
    }

    @Test
    void setGrantsOnAnUnknownIdIsToolNotFoundNamingTheId() {
        assertThatThrownBy(() -> store.setGrants(ToolId.of("dev.kami.ghost"), Grants.none()))
                .isInstanceOf(ToolNotFoundException.class)
                .hasMessageContaining("dev.kami.ghost");
        assertThat(store.history(null, 10)).isEmpty();
    }

    // ---- enable and pin ------------------------------------------------------------------------------------

    @Test
    void setEnabledAndSetPinnedVersionAreStored() {
        ToolId id = ToolId.of("dev.kami.echo");
        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.none());

        store.setEnabled(id, false);
        store.setPinnedVersion(id, "1.0.0");
        ToolRecord changed = store.find(id).orElseThrow();
        assertThat(changed.enabled()).isFalse();
        assertThat(changed.pinnedVersion()).isEqualTo("1.0.0");
        assertThat(changed.updatedAt()).isAfterOrEqualTo(T0);
        assertThat(changed.installedAt()).isEqualTo(T0);

        store.setEnabled(id, true);
        store.setPinnedVersion(id, null);
        ToolRecord back = store.find(id).orElseThrow();
        assertThat(back.enabled()).isTrue();
        assertThat(back.pinnedVersion()).isNull();
    }

    @Test
    void setEnabledAndSetPinnedVersionOnAnUnknownIdAreToolNotFoundNamingTheId() {
        ToolId ghost = ToolId.of("dev.kami.ghost");

        assertThatThrownBy(() -> store.setEnabled(ghost, false))
                .isInstanceOf(ToolNotFoundException.class).hasMessageContaining("dev.kami.ghost");
        assertThatThrownBy(() -> store.setPinnedVersion(ghost, "1.0.0"))
                .isInstanceOf(ToolNotFoundException.class).hasMessageContaining("dev.kami.ghost");
        assertThatThrownBy(() -> store.setPinnedVersion(ghost, null))
                .isInstanceOf(ToolNotFoundException.class).hasMessageContaining("dev.kami.ghost");
        assertThat(store.history(null, 10)).isEmpty();
    }

    // ---- history and change counter ---------------------------------------------------------------------------

    @Test
    void historyRecordsEveryActionNewestFirst() {
        ToolId id = ToolId.of("dev.kami.echo");
        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.none());
        store.setEnabled(id, false);
        store.setEnabled(id, true);
        store.setPinnedVersion(id, "1.0.0");
        store.setPinnedVersion(id, null);
        store.setGrants(id, Grants.fromTexts(List.of("net:example.com")));
        store.replace(record(id.value(), "2.0.0", module("b")), module("b"));
        store.remove(id);

        List<HistoryEntry> lines = store.history(id, 100);

        assertThat(lines).extracting(HistoryEntry::action).containsExactly(Action.UNINSTALL, Action.UPDATE,
                Action.GRANT, Action.PIN, Action.PIN, Action.ENABLE, Action.DISABLE, Action.INSTALL);
        assertThat(lines).extracting(HistoryEntry::id).containsOnly(id);
        assertThat(lines).extracting(HistoryEntry::version)
                .containsExactly("2.0.0", "2.0.0", "1.0.0", "1.0.0", "1.0.0", "1.0.0", "1.0.0", "1.0.0");
        List<Long> seqs = lines.stream().map(HistoryEntry::sequence).collect(Collectors.toList());
        assertThat(seqs).isSortedAccordingTo(Collections.reverseOrder()).doesNotHaveDuplicates();
        assertThat(lines.get(2).detail()).contains("net:example.com");
        assertThat(lines).allSatisfy(h -> assertThat(h.at()).isNotNull());
    }

    @Test
    void historyIsPerToolOrGlobalAndHonoursTheLimit() {
        ToolId a = ToolId.of("dev.kami.a");
        ToolId b = ToolId.of("dev.kami.b");
        store.insert(record(a.value(), "1.0.0", module("a")), module("a"), Grants.none());
        store.insert(record(b.value(), "1.0.0", module("b")), module("b"), Grants.none());
        store.setEnabled(a, false);
        store.setEnabled(b, false);

        assertThat(store.history(null, 100)).extracting(h -> h.id().value() + " " + h.action())
                .containsExactly("dev.kami.b DISABLE", "dev.kami.a DISABLE", "dev.kami.b INSTALL", "dev.kami.a INSTALL");
        assertThat(store.history(null, 3)).hasSize(3);
        assertThat(store.history(a, 100)).extracting(HistoryEntry::action).containsExactly(Action.DISABLE, Action.INSTALL);
        assertThat(store.history(b, 1)).extracting(HistoryEntry::action).containsExactly(Action.DISABLE);
        assertThat(store.history(ToolId.of("dev.kami.none"), 10)).isEmpty();
    }

    @Test
    void changeCounterGrowsWithEveryWriteAndOnlyThen() {
        ToolId id = ToolId.of("dev.kami.echo");
        List<Long> counters = new ArrayList<>();
        counters.add(store.changeCounter());
        store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.none());
        counters.add(store.changeCounter());
        store.setEnabled(id, false);
        counters.add(store.changeCounter());
        store.setPinnedVersion(id, "1.0.0");
        counters.add(store.changeCounter());
        store.setGrants(id, Grants.fromTexts(List.of("env:HOME")));
        counters.add(store.changeCounter());
        store.replace(record(id.value(), "1.1.0", module("b")), module("b"));
        counters.add(store.changeCounter());
        store.remove(id);
        counters.add(store.changeCounter());

        assertThat(counters).doesNotHaveDuplicates().isSorted();

        long last = store.changeCounter();
        store.find(id);
        store.listAll();
        store.history(null, 10);
        store.grants(id);
        store.hasBlob(sha256(module("a")));
        assertThat(store.changeCounter()).as("after reads only").isEqualTo(last);
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    @Test
    void dataSurvivesCloseAndReopen() {
        byte[] m = module(3, 50_000);
        ToolRecord t = record("dev.kami.keep", "1.2.3", m);
        Grants g = Grants.fromTexts(List.of("fs:sandbox", "net:example.com", "env:HOME"));
        store.insert(t, m, g);
        store.setPinnedVersion(t.id(), "1.2.3");
        ToolRecord before = store.find(t.id()).orElseThrow();
        List<HistoryEntry> history = store.history(null, 100);
        long counter = store.changeCounter();
        store.close();

        store = reopenStore();
        Assumptions.assumeTrue(store != null, "reopenStore() returned null: the store is not persistent, reopen test skipped");

        assertThat(store.find(t.id())).contains(before);
        assertThat(store.grants(t.id())).isEqualTo(g);
        assertThat(store.readBlob(t.moduleSha256())).hasValueSatisfying(b -> assertThat(b).isEqualTo(m));
        assertThat(store.history(null, 100)).isEqualTo(history);
        assertThat(store.changeCounter()).isEqualTo(counter);
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsIllegalState() {
        ToolStore s = store;
        store = null;
        s.close();
        s.close();

        assertThatThrownBy(() -> s.find(ToolId.of("dev.kami.echo"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.insert(record("dev.kami.echo", "1.0.0", module("a")), module("a"), Grants.none()))
                .isInstanceOf(IllegalStateException.class);
    }

    // ---- concurrency -------------------------------------------------------------------------------------------

    /**
     * Eight threads insert, replace, remove and grant, on ids shared between threads and ids of
     * their own, with modules shared between tools: only the documented conflict and not-found
     * exceptions may escape, and the final state is consistent and lost nothing.
     */
    @Test
    void concurrentWritersLeaveAConsistentStoreAndLoseNothing() throws Exception {
        runConcurrentWriters(List.of(store));
    }

    @Test
    void aSecondInstanceOnTheSameRegistrySeesTheWritesOfTheFirst() {
        try (ToolStore other = openSharedStore()) {
            Assumptions.assumeTrue(other != null, "openSharedStore() returned null: the store cannot be shared, test skipped");
            ToolId id = ToolId.of("dev.kami.echo");
            long before = other.changeCounter();

            store.insert(record(id.value(), "1.0.0", module("a")), module("a"), Grants.fromTexts(List.of("env:HOME")));

            assertThat(other.find(id)).isEqualTo(store.find(id)).isPresent();
            assertThat(other.grants(id)).isEqualTo(Grants.fromTexts(List.of("env:HOME")));
            assertThat(other.readBlob(sha256(module("a")))).isPresent();
            assertThat(other.changeCounter()).isGreaterThan(before).isEqualTo(store.changeCounter());

            other.setEnabled(id, false);
            assertThat(store.find(id).orElseThrow().enabled()).isFalse();
            assertThat(store.history(id, 10)).extracting(HistoryEntry::action).containsExactly(Action.DISABLE, Action.INSTALL);
            assertThatThrownBy(() -> other.insert(record(id.value(), "2.0.0", module("b")), module("b"), Grants.none()))
                    .isInstanceOf(ToolConflictException.class).hasMessageContaining("dev.kami.echo");
        }
    }

    /** The concurrency test with the threads spread over two instances on one registry. */
    @Test
    void concurrentWritersThroughTwoInstancesLeaveAConsistentStore() throws Exception {
        try (ToolStore other = openSharedStore()) {
            Assumptions.assumeTrue(other != null, "openSharedStore() returned null: the store cannot be shared, test skipped");
            runConcurrentWriters(List.of(store, other));
        }
    }

    private void runConcurrentWriters(List<ToolStore> writers) throws Exception {
        int threads = 8;
        int opsPerThread = 25;
        List<byte[]> modules = List.of(module("m0"), module("m1"), module("m2"), module("m3"));
        List<String> shared = List.of("shared.tool.a", "shared.tool.b", "shared.tool.c");
        AtomicInteger writes = new AtomicInteger();
        Map<String, Integer> refusals = new ConcurrentHashMap<>();
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ToolStore writer = writers.get(t % writers.size());
                futures.add(pool.submit(() -> {
                    Random random = new Random(1000 + thread);
                    start.await();
                    for (int i = 0; i < opsPerThread; i++) {
                        String id = random.nextBoolean() ? shared.get(random.nextInt(shared.size()))
                                : "own.t" + thread + ".x" + random.nextInt(3);
                        byte[] m = modules.get(random.nextInt(modules.size()));
                        ToolId toolId = ToolId.of(id);
                        try {
                            switch (random.nextInt(5)) {
                                case 0, 1 -> writer.insert(record(id, "1.0." + i, m), m,
                                        Grants.fromTexts(List.of("env:T" + thread)));
                                case 2 -> writer.replace(record(id, "2.0." + i, m), m);
                                case 3 -> {
                                    if (!writer.remove(toolId)) {
                                        continue;
                                    }
                                }
                                default -> writer.setGrants(toolId, Grants.fromTexts(List.of("net:t" + thread + ".example")));
                            }
                            writes.incrementAndGet();
                        } catch (ToolConflictException | ToolNotFoundException refusal) {
                            refusals.merge(refusal.getClass().getSimpleName(), 1, Integer::sum);
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(unexpected).as("exceptions other than conflicts and not-found").isEmpty();
        assertThat(writes.get()).as("successful writes").isPositive();
        assertThat(refusals).as("documented refusals").containsKey("ToolConflictException");
        List<ToolRecord> tools = store.listAll();
        for (ToolRecord t : tools) {
            assertThat(store.readBlob(t.moduleSha256())).as("blob of %s", t.id())
                    .hasValueSatisfying(b -> assertThat(sha256(b)).isEqualTo(t.moduleSha256()));
        }
        for (byte[] m : modules) {
            boolean used = tools.stream().anyMatch(t -> t.moduleSha256().equals(sha256(m)));
            assertThat(store.hasBlob(sha256(m))).as("blob %s stored iff a tool uses it", sha256(m)).isEqualTo(used);
        }
        List<HistoryEntry> history = store.history(null, 10_000);
        assertThat(history).as("one history line per successful write").hasSize(writes.get());
        Map<ToolId, List<HistoryEntry>> byTool = history.stream().collect(Collectors.groupingBy(HistoryEntry::id));
        for (Map.Entry<ToolId, List<HistoryEntry>> e : byTool.entrySet()) {
            boolean installed = tools.stream().anyMatch(t -> t.id().equals(e.getKey()));
            long installs = e.getValue().stream().filter(h -> h.action() == Action.INSTALL).count();
            long uninstalls = e.getValue().stream().filter(h -> h.action() == Action.UNINSTALL).count();
            assertThat(installs - uninstalls).as("installs minus uninstalls of %s", e.getKey()).isEqualTo(installed ? 1 : 0);
            assertThat(e.getValue().get(0).action() == Action.UNINSTALL).as("last action of %s", e.getKey())
                    .isEqualTo(!installed);
            if (installed) {
                assertThat(e.getValue().get(0).version()).as("version in the last history line of %s", e.getKey())
                        .isEqualTo(store.find(e.getKey()).orElseThrow().version().toString());
            } else {
                assertThat(store.grants(e.getKey())).as("grants of removed %s", e.getKey()).isEqualTo(Grants.none());
            }
        }
        assertThat(store.changeCounter()).isGreaterThanOrEqualTo(writes.get());
    }
}
