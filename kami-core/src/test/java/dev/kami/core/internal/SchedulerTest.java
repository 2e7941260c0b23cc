package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.BusyException;
import dev.kami.CancellationToken;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SchedulerTest {
    private Scheduler scheduler;

    @AfterEach
    void close() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    /** A job that blocks until interrupted or released; reports how it ended. */
    private static Scheduler.Job blocking(CountDownLatch started, CountDownLatch release) {
        return (clock, queued) -> {
            clock.start();
            started.countDown();
            try {
                release.await();
                return ToolResult.success("released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        };
    }

    @Test
    void workersHaveTheConfiguredStackAndRunTheJob() throws Exception {
        scheduler = new Scheduler(2, 4, Duration.ofSeconds(5), 8L << 20);
        AtomicLong depth = new AtomicLong();
        ToolResult r = scheduler.submit("t", (c, q) -> {
            depth.set(recurse(0));
            return ToolResult.success(Thread.currentThread().getName());
        }, Duration.ofSeconds(10), null).get();
        assertThat(r.text()).startsWith("kami-worker-");
        assertThat(depth.get()).as("an 8 MiB stack allows deep recursion").isGreaterThan(20_000);
    }

    private static long recurse(long n) {
        if (n >= 50_000) {
            return n;
        }
        try {
            return recurse(n + 1);
        } catch (StackOverflowError e) {
            return n;
        }
    }

    @Test
    void saturationRefusesAtOnceWhenWorkersAndQueueAreFull() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(30), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<ToolResult> running = scheduler.submit("t", blocking(started, release), Duration.ofSeconds(30), null);
        started.await();
        CompletableFuture<ToolResult> queued = scheduler.submit("t", (c, q) -> ToolResult.success("second"), Duration.ofSeconds(30), null);
        assertThat(scheduler.running()).isEqualTo(1);
        assertThat(scheduler.queued()).isEqualTo(1);
        assertThatThrownBy(() -> scheduler.submit("dev.kami.x", (c, q) -> ToolResult.success("third"), Duration.ofSeconds(30), null))
                .isInstanceOf(BusyException.class)
                .hasMessage("KAMI is busy: 1 workers and 1 queue slots are all taken (call to dev.kami.x refused). Retry later, or raise Kami.builder().workers(..) / queueCapacity(..)");
        release.countDown();
        assertThat(running.get().text()).isEqualTo("released");
        assertThat(queued.get().text()).isEqualTo("second");
        assertThat(scheduler.submit("t", (c, q) -> ToolResult.success("after"), Duration.ofSeconds(5), null).get().text()).isEqualTo("after");
    }

    @Test
    void queueWaitBoundRefusesAsBusy() throws Exception {
        scheduler = new Scheduler(1, 4, Duration.ofMillis(100), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        scheduler.submit("t", blocking(started, release), Duration.ofSeconds(30), null);
        started.await();
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<ToolResult> waiting = scheduler.submit("dev.kami.y", (c, q) -> {
            ran.set(true);
            return ToolResult.success("late");
        }, Duration.ofSeconds(5), null);
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BusyException.class)
                .hasMessageContaining("the call to dev.kami.y waited 100 ms for a worker (queue wait bound) and was refused");
        release.countDown();
        Thread.sleep(100);
        assertThat(ran).as("an expired call never runs").isFalse();
        assertThat(scheduler.queued()).isZero();
    }

    @Test
    void deadlineInterruptsTheWorkerAndYieldsTimeout() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        long t0 = System.nanoTime();
        ToolResult r = scheduler.submit("dev.kami.loop", blocking(new CountDownLatch(1), new CountDownLatch(1)),
                Duration.ofMillis(200), null).get();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(r.text()).isEqualTo("call to dev.kami.loop passed its deadline of 200 ms and was stopped");
        assertThat(tookMs).isBetween(190L, 3000L);
        ToolResult next = scheduler.submit("t", (c, q) -> ToolResult.success(String.valueOf(Thread.currentThread().isInterrupted())),
                Duration.ofSeconds(5), null).get();
        assertThat(next.text()).as("no interrupt leaks into the next call").isEqualTo("false");
    }

    @Test
    void hostWorkBeforeTheClockStartsDoesNotCountAgainstTheDeadline() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        ToolResult r = scheduler.submit("dev.kami.t", (c, q) -> {
            sleep(300); // e.g. compiling the module on this node for the first time
            long deadline = c.start();
            return ToolResult.success(String.valueOf(deadline - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted()));
        }, Duration.ofMillis(100), null).get();
        assertThat(r.text()).as("not interrupted, and the deadline is still ahead").isEqualTo("true");
    }

    @Test
    void cancellationInterruptsARunningCall() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CancellationToken token = new CancellationToken();
        CompletableFuture<ToolResult> f = scheduler.submit("dev.kami.loop", blocking(started, new CountDownLatch(1)),
                Duration.ofSeconds(30), token);
        started.await();
        long t0 = System.nanoTime();
        token.cancel();
        ToolResult r = f.get(10, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.CANCELLED);
        assertThat(r.text()).isEqualTo("call to dev.kami.loop was cancelled");
    }

    @Test
    void cancellationKeepsInterruptingUntilTheCallEnds() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CancellationToken token = new CancellationToken();
        CompletableFuture<ToolResult> f = scheduler.submit("dev.kami.deaf", (c, q) -> {
            c.start();
            started.countDown();
            int seen = 0;
            while (seen < 3) { // swallows interrupts, as code on the way into a guest may do
                if (Thread.interrupted()) {
                    seen++;
                }
                Thread.onSpinWait();
            }
            return ToolResult.error(ToolErrorKind.CANCELLED, "saw " + seen + " interrupts");
        }, Duration.ofSeconds(30), token);
        started.await();
        long t0 = System.nanoTime();
        token.cancel();
        ToolResult r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.text()).isEqualTo("saw 3 interrupts");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("well before the 30 s deadline").isLessThan(5000);
    }

    @Test
    void cancellationOfAQueuedCallNeverRunsIt() throws Exception {
        scheduler = new Scheduler(1, 2, Duration.ofSeconds(30), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        scheduler.submit("t", blocking(started, release), Duration.ofSeconds(30), null);
        started.await();
        CancellationToken token = new CancellationToken();
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<ToolResult> queued = scheduler.submit("dev.kami.q", (c, q) -> {
            ran.set(true);
            return ToolResult.success("ran");
        }, Duration.ofSeconds(5), token);
        token.cancel();
        assertThat(queued.get(5, TimeUnit.SECONDS).errorKind()).isEqualTo(ToolErrorKind.CANCELLED);
        release.countDown();
        Thread.sleep(100);
        assertThat(ran).isFalse();
    }

    @Test
    void closeDrainsRunningCallsAndRefusesNewOnes() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<ToolResult> f = scheduler.submit("t", (c, q) -> {
            started.countDown();
            sleep(300);
            return ToolResult.success("drained");
        }, Duration.ofSeconds(5), null);
        started.await();
        scheduler.close();
        assertThat(f.isDone()).isTrue();
        assertThat(f.get().text()).isEqualTo("drained");
        assertThatThrownBy(() -> scheduler.submit("t", (c, q) -> ToolResult.success("x"), Duration.ofSeconds(1), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("KAMI is closed; build a new Kami to make calls");
        scheduler.close(); // idempotent
    }

    @Test
    void unexpectedEngineFailureBecomesAnInternalError() throws Exception {
        scheduler = new Scheduler(1, 1, Duration.ofSeconds(5), 1 << 20);
        ToolResult r = scheduler.submit("dev.kami.t", (c, q) -> {
            throw new IllegalArgumentException("boom");
        }, Duration.ofSeconds(5), null).get();
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INTERNAL);
        assertThat(r.text()).contains("IllegalArgumentException: boom").contains("bug in the engine, not the tool");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
