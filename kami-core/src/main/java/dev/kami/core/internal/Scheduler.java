package dev.kami.core.internal;

import dev.kami.BusyException;
import dev.kami.CancellationToken;
import dev.kami.KamiException;
import dev.kami.Registration;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs calls on a bounded pool of worker threads with a known stack size. At most
 * {@code workers + queueCapacity} calls are admitted; more are refused as busy at once. A call
 * that waits longer than the queue bound is refused as busy. A running call has a deadline: the
 * engine enforces it, and a sweeper interrupts the worker as a backstop while it is past it;
 * cancellation interrupts it too. One sweeper tick ({@value #TICK_MS} ms) serves every call, so a
 * call schedules no timer of its own (a per-call timer would wake the timer thread on every call).
 * Thread-safe.
 */
final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** How often queue-wait bounds and deadlines are swept. */
    static final long TICK_MS = 20;

    /** The work of one call: runs on a worker, must honour interrupts and the deadline. */
    @FunctionalInterface
    interface Job {
        /**
         * @param clock starts the call's deadline when the tool itself starts (after host work
         *     such as compiling, which must not eat into the tool's time)
         * @param queuedNanos how long the call waited for a worker
         * @return the result; tool failures are results, host refusals are exceptions
         */
        ToolResult run(Clock clock, long queuedNanos);
    }

    /** Starts a running call's deadline; see {@link Job#run}. */
    interface Clock {
        /** @return the deadline, {@code timeout} from now, on the {@link System#nanoTime()} clock */
        long start();
    }

    private final int workers;
    private final int queueCapacity;
    private final Duration queueTimeout;
    private final ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor timer;
    private final Semaphore admission;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final java.util.Set<Task> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Scheduler(int workers, int queueCapacity, Duration queueTimeout, long stackBytes) {
        this.workers = workers;
        this.queueCapacity = queueCapacity;
        this.queueTimeout = queueTimeout;
        this.admission = new Semaphore(workers + queueCapacity);
        this.pool = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new HandoffQueue(),
                threads("kami-worker-", stackBytes));
        this.timer = new ScheduledThreadPoolExecutor(1, threads("kami-timer-", 0));
        this.timer.setRemoveOnCancelPolicy(true);
        this.timer.scheduleAtFixedRate(this::sweep, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Expires calls queued past the wait bound; interrupts calls running past their deadline. */
    private void sweep() {
        long now = System.nanoTime();
        long bound = queueTimeout.toNanos();
        for (Task t : live) {
            t.sweep(now, bound);
        }
    }

    /** How long an idle worker keeps looking for work before it parks, and a caller for its result. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    /**
     * A worker queue whose idle workers look for the next call for {@link #SPIN_NANOS} (yielding
     * the CPU between looks) before they park: a tool call takes tens of microseconds, and waking
     * a parked thread costs about as much, so back-to-back calls would otherwise pay a wake-up each.
     */
    private static final class HandoffQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;

        @Override
        public Runnable take() throws InterruptedException {
            long until = System.nanoTime() + SPIN_NANOS;
            do {
                Runnable r = poll();
                if (r != null) {
                    return r;
                }
                Thread.yield();
            } while (System.nanoTime() - until < 0);
            return super.take();
        }
    }

    /**
     * Waits for a call's result, first by looking (yielding) for {@link #SPIN_NANOS}, then by
     * blocking: most calls end within the look, and the caller skips a park and wake-up.
     */
    static <T> T await(java.util.concurrent.CompletableFuture<T> f)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        long until = System.nanoTime() + SPIN_NANOS;
        while (!f.isDone() && System.nanoTime() - until < 0) {
            Thread.yield();
        }
        return f.get();
    }

    private static ThreadFactory threads(String prefix, long stackBytes) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + n.incrementAndGet(), stackBytes);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Submits a call.
     *
     * @param timeout the deadline measured from the moment a worker starts the call
     * @param token cancels the call, or {@code null}
     * @return the result; completes exceptionally with {@link BusyException} when refused, or with
     *     the host-side exception the job threw
     * @throws BusyException when every worker and queue slot is taken
     * @throws IllegalStateException when closed
     */
    CompletableFuture<ToolResult> submit(String toolId, Job job, Duration timeout, CancellationToken token) {
        if (closed) {
            throw new IllegalStateException("KAMI is closed; build a new Kami to make calls");
        }
        if (!admission.tryAcquire()) {
            throw new BusyException("KAMI is busy: " + workers + " workers and " + queueCapacity
                    + " queue slots are all taken (call to " + toolId + " refused). Retry later, or raise"
                    + " Kami.builder().workers(..) / queueCapacity(..)");
        }
        Task task = new Task(toolId, job, timeout.toNanos(), token);
        queued.incrementAndGet();
        live.add(task);
        try {
            pool.execute(task);
        } catch (RuntimeException e) {
            live.remove(task);
            queued.decrementAndGet();
            admission.release();
            throw new IllegalStateException("KAMI is closed; build a new Kami to make calls", e);
        }
        task.armCancellation();
        return task.future;
    }

    int running() {
        return running.get();
    }

    int queued() {
        return queued.get();
    }

    /** Refuses new calls, waits for admitted ones to finish; idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                LOG.warn("calls still running 5 minutes after close(); interrupting them");
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
        }
    }

    private final class Task implements Runnable {
        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;

        final CompletableFuture<ToolResult> future = new CompletableFuture<>();
        private final String toolId;
        private final Job job;
        private final long timeoutNanos;
        private final CancellationToken token;
        private final long enqueuedAt = System.nanoTime();
        private int state = QUEUED; // guarded by this
        private Thread worker; // guarded by this
        private boolean cancelled; // guarded by this
        private long deadline; // guarded by this, set when running
        private Registration cancelRegistration;

        Task(String toolId, Job job, long timeoutNanos, CancellationToken token) {
            this.toolId = toolId;
            this.job = job;
            this.timeoutNanos = timeoutNanos;
            this.token = token;
        }

        void armCancellation() {
            if (token != null) {
                cancelRegistration = token.onCancel(this::cancel);
            }
        }

        void sweep(long now, long queueBound) {
            boolean expire = false;
            synchronized (this) {
                if (state == QUEUED && now - enqueuedAt >= queueBound) {
                    state = DONE;
                    expire = true;
                } else if (state == RUNNING && worker != null && (cancelled || (deadline != Long.MAX_VALUE
                        && now - deadline >= 0))) {
                    // again on every tick: an interrupt that lands while the engine is still setting
                    // up a call can be swallowed by code on the way; the next one ends the call
                    worker.interrupt();
                }
            }
            if (expire) {
                expireInQueue();
            }
        }

        private void expireInQueue() {
            pool.remove(this);
            leaveQueue();
            future.completeExceptionally(new BusyException("KAMI is busy: the call to " + toolId + " waited "
                    + queueTimeout.toMillis() + " ms for a worker (queue wait bound) and was refused. Retry later,"
                    + " or raise Kami.builder().workers(..) / queueTimeout(..)"));
        }

        private void cancel() {
            boolean wasQueued;
            synchronized (this) {
                cancelled = true;
                wasQueued = state == QUEUED;
                if (wasQueued) {
                    state = DONE;
                } else if (state == RUNNING && worker != null) {
                    worker.interrupt();
                }
            }
            if (wasQueued) {
                pool.remove(this);
                leaveQueue();
                future.complete(ToolResult.error(ToolErrorKind.CANCELLED, "call to " + toolId
                        + " was cancelled before it started"));
            }
        }

        private void leaveQueue() {
            live.remove(this);
            queued.decrementAndGet();
            admission.release();
            if (cancelRegistration != null) {
                cancelRegistration.close();
            }
        }

        @Override
        public void run() {
            long startedAt = System.nanoTime();
            synchronized (this) {
                if (state != QUEUED) {
                    return; // expired or cancelled while queued
                }
                state = RUNNING;
                worker = Thread.currentThread();
                deadline = Long.MAX_VALUE; // host work first: the clock starts when the tool does
            }
            queued.decrementAndGet();
            running.incrementAndGet();
            ToolResult result = null;
            Throwable failure = null;
            try {
                result = job.run(this::startClock, startedAt - enqueuedAt);
            } catch (KamiException e) {
                failure = e;
            } catch (RuntimeException | StackOverflowError e) {
                result = mapUnexpected(e);
            } catch (Error e) {
                failure = e;
            } finally {
                live.remove(this);
                synchronized (this) {
                    state = DONE;
                    worker = null;
                }
                Thread.interrupted(); // never leak an interrupt into the next call on this worker
                running.decrementAndGet();
                admission.release();
                if (cancelRegistration != null) {
                    cancelRegistration.close();
                }
            }
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }

        private long startClock() {
            long due = System.nanoTime() + timeoutNanos;
            synchronized (this) {
                deadline = due;
            }
            return due;
        }

        private ToolResult mapUnexpected(Throwable e) {
            boolean wasCancelled;
            long deadline;
            synchronized (this) {
                wasCancelled = cancelled;
                deadline = this.deadline;
            }
            if (wasCancelled) {
                return ToolResult.error(ToolErrorKind.CANCELLED, "call to " + toolId + " was cancelled");
            }
            if (System.nanoTime() - deadline >= 0) {
                return ToolResult.error(ToolErrorKind.TIMEOUT, "call to " + toolId + " passed its deadline of "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms and was stopped");
            }
            if (e instanceof StackOverflowError) {
                return ToolResult.error(ToolErrorKind.STACK_EXHAUSTED, "call to " + toolId
                        + " exhausted the worker's stack");
            }
            LOG.error("engine failed on a call to {}", toolId, e);
            return ToolResult.error(ToolErrorKind.INTERNAL, "call to " + toolId + " failed inside KAMI ("
                    + Causes.describe(e) + "); this is a bug in the engine, not the"
                    + " tool: please report it");
        }

    }
}
