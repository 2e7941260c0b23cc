package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.kami.ModuleRejectedException;
import dev.kami.spi.CompiledModule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ModuleCacheTest {

    private static CompiledModule module(long size) {
        CompiledModule m = mock(CompiledModule.class);
        when(m.estimatedSizeBytes()).thenReturn(size);
        return m;
    }

    @Test
    void concurrentFirstCallsCompileOnce() throws Exception {
        ModuleCache cache = new ModuleCache(8, 1 << 20, sha -> { });
        AtomicInteger compiles = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        CompiledModule compiled = module(10);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<CompiledModule>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return cache.get("a", () -> {
                    compiles.incrementAndGet();
                    sleep(200);
                    return compiled;
                });
            }));
        }
        start.countDown();
        for (Future<CompiledModule> f : results) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(compiled);
        }
        pool.shutdown();
        assertThat(compiles).hasValue(1);
        assertThat(cache.misses() + cache.hits()).isEqualTo(16);
    }

    @Test
    void failedCompileIsReportedToEveryWaiterAndNotCached() throws Exception {
        ModuleCache cache = new ModuleCache(8, 1 << 20, sha -> { });
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch secondWaiting = new CountDownLatch(1);
        AtomicInteger compiles = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> first = pool.submit(() -> cache.get("bad", () -> {
            compiles.incrementAndGet();
            inside.countDown();
            try {
                secondWaiting.await(); // fail only once the second caller is waiting on this flight
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new ModuleRejectedException("broken module");
        }));
        inside.await();
        Future<?> second = pool.submit(() -> {
            secondWaiting.countDown();
            return cache.get("bad", () -> {
                compiles.incrementAndGet();
                return module(1);
            });
        });
        assertThatThrownBy(first::get).hasCauseInstanceOf(ModuleRejectedException.class).hasMessageContaining("broken module");
        assertThatThrownBy(second::get).as("the waiter gets the same failure").hasMessageContaining("broken module");
        pool.shutdown();
        assertThat(compiles).as("one flight").hasValue(1);
        assertThat(cache.contains("bad")).as("a failure is not cached").isFalse();
        cache.get("bad", () -> {
            compiles.incrementAndGet();
            return module(1);
        });
        assertThat(compiles).as("a later call compiles again").hasValue(2);
        assertThat(cache.contains("bad")).isTrue();
    }

    @Test
    void evictsLeastRecentlyUsedByCount() {
        List<String> evicted = new ArrayList<>();
        ModuleCache cache = new ModuleCache(2, 1 << 20, evicted::add);
        cache.get("a", () -> module(1));
        cache.get("b", () -> module(1));
        cache.get("a", () -> module(1)); // touch a: b is now eldest
        cache.get("c", () -> module(1));
        assertThat(evicted).containsExactly("b");
        assertThat(cache.contains("a")).isTrue();
        assertThat(cache.contains("c")).isTrue();
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void evictsByWeightButKeepsTheNewestEvenIfAloneTooBig() {
        List<String> evicted = new ArrayList<>();
        ModuleCache cache = new ModuleCache(10, 100, evicted::add);
        cache.get("a", () -> module(40));
        cache.get("b", () -> module(40));
        cache.get("c", () -> module(40));
        assertThat(evicted).containsExactly("a");
        assertThat(cache.weightedBytes()).isEqualTo(80);
        cache.get("huge", () -> module(500));
        assertThat(evicted).containsExactly("a", "b", "c");
        assertThat(cache.contains("huge")).isTrue();
    }

    @Test
    void invalidateDropsAModule() {
        ModuleCache cache = new ModuleCache(4, 100, sha -> { });
        cache.get("a", () -> module(10));
        cache.invalidate("a");
        assertThat(cache.contains("a")).isFalse();
        assertThat(cache.weightedBytes()).isZero();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
