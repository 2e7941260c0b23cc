package dev.kami.core.internal;

import dev.kami.KamiException;
import dev.kami.spi.CompiledModule;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Compiled modules by SHA-256, bounded by entry count and estimated bytes, least recently used
 * evicted first. Concurrent first requests for one digest compile once: the first caller
 * compiles, the others wait for its result (single flight). A failed compile is not cached.
 * Thread-safe.
 */
final class ModuleCache {
    private final int maxEntries;
    private final long maxBytes;
    private final Consumer<String> onEvict;
    private final Object lock = new Object();
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<CompiledModule>> inFlight = new HashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    private record Entry(CompiledModule module, long weight) {
    }

    ModuleCache(int maxEntries, long maxBytes, Consumer<String> onEvict) {
        if (maxEntries <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("cache bounds must be positive: entries=" + maxEntries + ", bytes=" + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.onEvict = Objects.requireNonNull(onEvict, "onEvict");
    }

    /**
     * @return the cached module, or the one {@code compiler} makes (once, however many callers)
     * @throws KamiException what the compiler threw, to every waiting caller
     */
    CompiledModule get(String sha256, Supplier<CompiledModule> compiler) {
        CompletableFuture<CompiledModule> future;
        boolean owner = false;
        synchronized (lock) {
            Entry e = entries.get(sha256);
            if (e != null) {
                hits++;
                return e.module();
            }
            misses++;
            future = inFlight.get(sha256);
            if (future == null) {
                future = new CompletableFuture<>();
                inFlight.put(sha256, future);
                owner = true;
            }
        }
        if (owner) {
            return compileAndPublish(sha256, compiler, future);
        }
        try {
            return future.get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for module " + sha256 + " to compile");
        } catch (ExecutionException ee) {
            Throwable c = ee.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new KamiException("compiling module " + sha256 + " failed: " + c, c);
        }
    }

    private CompiledModule compileAndPublish(String sha256, Supplier<CompiledModule> compiler,
            CompletableFuture<CompiledModule> future) {
        CompiledModule module;
        try {
            module = compiler.get();
        } catch (RuntimeException | Error t) {
            synchronized (lock) {
                inFlight.remove(sha256);
            }
            future.completeExceptionally(t);
            throw t;
        }
        long weight = Math.max(1, module.estimatedSizeBytes());
        java.util.List<String> evicted = new java.util.ArrayList<>();
        synchronized (lock) {
            inFlight.remove(sha256);
            Entry old = entries.put(sha256, new Entry(module, weight));
            if (old != null) {
                bytes -= old.weight();
            }
            bytes += weight;
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while ((entries.size() > maxEntries || bytes > maxBytes) && entries.size() > 1 && it.hasNext()) {
                Map.Entry<String, Entry> eldest = it.next();
                if (eldest.getKey().equals(sha256)) {
                    continue;
                }
                bytes -= eldest.getValue().weight();
                it.remove();
                evicted.add(eldest.getKey());
            }
        }
        future.complete(module);
        evicted.forEach(onEvict);
        return module;
    }

    /** @return whether the digest is cached (no effect on recency) */
    boolean contains(String sha256) {
        synchronized (lock) {
            return entries.containsKey(sha256);
        }
    }

    /** Drops one module, e.g. when its tool is uninstalled. */
    void invalidate(String sha256) {
        synchronized (lock) {
            Entry e = entries.remove(sha256);
            if (e != null) {
                bytes -= e.weight();
            }
        }
    }

    int size() {
        synchronized (lock) {
            return entries.size();
        }
    }

    long weightedBytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    long hits() {
        synchronized (lock) {
            return hits;
        }
    }

    long misses() {
        synchronized (lock) {
            return misses;
        }
    }
}
