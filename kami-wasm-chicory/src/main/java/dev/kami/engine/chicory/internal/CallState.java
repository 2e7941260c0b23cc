package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import dev.kami.LogEntry;
import dev.kami.ToolErrorKind;
import dev.kami.spi.Invocation;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything one call owns: its output, stdout, stderr and log buffers (each capped at
 * {@code max_output_bytes}), the fuel counter and the outbound-HTTP state. Confined to the
 * invoking thread.
 */
final class CallState {
    /** The most {@code kami.log} lines one call may keep. */
    static final int MAX_LOG_LINES = 10_000;

    final Invocation invocation;
    final String toolId;
    final long maxOutputBytes;
    final long maxFuel;
    final Channel output;
    final Channel stdout;
    final Channel stderr;
    private final List<LogEntry> logs = new ArrayList<>();
    private long logBytes;
    long fuel;
    int httpRequests;
    byte[] pendingHttpResponse;
    /** The channel whose cap was hit, or null; wins over any later failure. */
    String limitHit;

    CallState(Invocation invocation) {
        this.invocation = invocation;
        this.toolId = invocation.toolId();
        this.maxOutputBytes = invocation.permissions().maxOutputBytes();
        this.maxFuel = invocation.permissions().maxFuel();
        this.output = new Channel("output (kami.output)");
        this.stdout = new Channel("stdout");
        this.stderr = new Channel("stderr");
    }

    List<LogEntry> logs() {
        return logs;
    }

    void log(int level, byte[] message) {
        logBytes += message.length + 1L; // a line costs its newline too, so empty lines are not free
        if (logBytes > maxOutputBytes) {
            throw tooLarge("logs (kami.log)");
        }
        if (logs.size() >= MAX_LOG_LINES) {
            if (limitHit == null) {
                limitHit = "logs (kami.log)";
            }
            throw new GuestAbort(ToolErrorKind.OUTPUT_TOO_LARGE, "tool '" + toolId + "' logged more than "
                    + MAX_LOG_LINES + " lines (kami.log allows " + MAX_LOG_LINES + " lines and max_output_bytes = "
                    + maxOutputBytes + " bytes per call)");
        }
        int clamped = Math.max(0, Math.min(4, level));
        logs.add(new LogEntry(clamped, new String(message, StandardCharsets.UTF_8)));
    }

    /**
     * Called once per executed instruction in interpreter mode. Also polls the interrupt flag:
     * Chicory's interpreter checks it only on calls and unconditional branches, so a loop closed
     * by {@code br_if} would otherwise outlive its deadline.
     */
    void burnFuel() {
        if ((++fuel & 0x3ff) == 0 && Thread.currentThread().isInterrupted()) {
            throw new ChicoryInterruptedException("Thread interrupted");
        }
        if (fuel > maxFuel && maxFuel > 0) {
            throw new GuestAbort(ToolErrorKind.FUEL_EXHAUSTED, "tool '" + toolId
                    + "' used up its instruction budget of " + maxFuel + " instructions (max_fuel)");
        }
    }

    GuestAbort tooLarge(String channel) {
        if (limitHit == null) {
            limitHit = channel;
        }
        return new GuestAbort(ToolErrorKind.OUTPUT_TOO_LARGE, overflowMessage(limitHit));
    }

    String overflowMessage(String channel) {
        return "tool '" + toolId + "' wrote more than " + maxOutputBytes + " bytes to " + channel
                + " (max_output_bytes = " + maxOutputBytes + ")";
    }

    /** A capped byte sink; also an {@link OutputStream} for WASI's stdout and stderr. */
    final class Channel extends OutputStream {
        private final String name;
        private byte[] bytes = new byte[0];
        private int size;

        Channel(String name) {
            this.name = name;
        }

        /** @return whether {@code len} more bytes would pass the cap */
        boolean wouldOverflow(long len) {
            return len < 0 || size + len > maxOutputBytes;
        }

        void overflow() {
            throw tooLarge(name);
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (wouldOverflow(len)) {
                overflow();
            }
            if (size + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + len, Math.max(256, bytes.length * 2)));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        /** @return the last {@code max} bytes */
        byte[] tail(int max) {
            int from = Math.max(0, size - max);
            return Arrays.copyOfRange(bytes, from, size);
        }
    }
}
