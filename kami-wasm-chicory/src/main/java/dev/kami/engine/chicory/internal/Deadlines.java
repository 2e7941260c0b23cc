package dev.kami.engine.chicory.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces call deadlines by interrupting the invoking thread: Chicory checks the interrupt flag
 * in interpreted and compiled code and throws {@code ChicoryInterruptedException}. One daemon
 * timer thread per engine serves every call (docs/adr/0103). Thread-safe.
 */
final class Deadlines implements AutoCloseable {
    private static final long REFIRE_MILLIS = 100;

    private final ScheduledThreadPoolExecutor timer;

    Deadlines() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kami-chicory-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Arms a deadline for the current thread, {@code nanos} from now. Past the deadline the
     * thread is interrupted again every {@value #REFIRE_MILLIS} ms until the call returns, in case
     * some code on the way swallowed the first interrupt.
     */
    Guard arm(long nanos) {
        Guard guard = new Guard(Thread.currentThread());
        guard.future = timer.scheduleAtFixedRate(guard::fire, nanos, TimeUnit.MILLISECONDS.toNanos(REFIRE_MILLIS),
                TimeUnit.NANOSECONDS);
        return guard;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One call's deadline. {@link #disarm} must run on the invoking thread before it returns. */
    static final class Guard {
        private final Thread thread;
        private boolean active = true;
        private volatile boolean fired;
        private ScheduledFuture<?> future;

        private Guard(Thread thread) {
            this.thread = thread;
        }

        private synchronized void fire() {
            if (active) {
                fired = true;
                thread.interrupt();
            }
        }

        /** @return whether the timer interrupted the thread */
        boolean fired() {
            return fired;
        }

        /**
         * Stops the timer; after this no interrupt from it can reach the thread, and one it
         * already delivered is cleared, so it never leaks into the thread's next task.
         */
        void disarm() {
            synchronized (this) {
                active = false;
            }
            future.cancel(false);
            if (fired) {
                Thread.interrupted();
            }
        }
    }
}
