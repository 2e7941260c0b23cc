package dev.kami.engine.chicory.extism;

import dev.kami.ToolErrorKind;
import java.util.Map;

/**
 * What the engine gives one Extism call: the tool's identity, its operator configuration, its
 * limits, the guarded outbound HTTP, the call's log and a way to stop the guest with a KAMI error.
 * Implemented by the engine for each call; used only on the calling thread.
 */
public interface ExtismHost {
    /** @return the tool id, for messages */
    String toolId();

    /** @return the configuration {@code config_get} reads (operator-set, never from the package) */
    Map<String, String> config();

    /** @return the cap on the plugin's output, each log channel and the HTTP bodies it keeps, in bytes */
    long maxOutputBytes();

    /** @return the memory cap in bytes: the plugin's linear memory plus the kernel's blocks */
    long maxMemoryBytes();

    /**
     * Sends a request through the engine's outbound-HTTP guard.
     *
     * @param requestJson KAMI's request JSON ({@code {"method","url","headers","body"}}, UTF-8)
     * @return the guard's response JSON: {@code {"status","headers","body"}} or {@code {"error","message"}}
     */
    byte[] http(byte[] requestJson);

    /**
     * Adds a line to the call's log.
     *
     * @param level 0 trace .. 4 error
     */
    void log(int level, byte[] message);

    /** @return an exception that, thrown from a host function, ends the call with this kind and message */
    RuntimeException abort(ToolErrorKind kind, String message);
}
