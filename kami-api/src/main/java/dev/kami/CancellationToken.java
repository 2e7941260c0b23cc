package dev.kami;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets a caller cancel a running call: the worker running it is interrupted and the call ends
 * with {@link ToolErrorKind#CANCELLED}. Thread-safe; cancelling twice is harmless.
 *
 * <pre>{@code
 * CancellationToken token = new CancellationToken();
 * CompletableFuture<ToolResult> f = kami.callAsync(id, json, CallOptions.defaults().withCancellation(token));
 * token.cancel();
 * }</pre>
 */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

    /** Creates a token that is not cancelled. */
    public CancellationToken() {
    }

    /** Cancels; runs the registered callbacks once, on this thread. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            for (Runnable r : callbacks) {
                r.run();
            }
        }
    }

    /** @return whether {@link #cancel()} was called */
    public boolean isCancelled() {
        return cancelled.get();
    }

    /**
     * Runs {@code callback} on cancel, or now if already cancelled.
     *
     * @return a registration whose {@code close()} removes the callback
     */
    public Registration onCancel(Runnable callback) {
        callbacks.add(callback);
        if (cancelled.get() && callbacks.remove(callback)) {
            callback.run();
        }
        return () -> callbacks.remove(callback);
    }
}
