package dev.kami.manifest;

import java.util.List;
import java.util.Objects;

/**
 * What a tool <em>requests</em> in its {@code [security]} table. Deny-all when the table is
 * absent. What it gets is this ∩ the operator's grants ∩ the host policy ceiling
 * ({@link dev.kami.policy.EffectivePermissions}).
 *
 * @param fsAccess filesystem access requested
 * @param netAllowList hosts the tool may call: exact names, {@code *.suffix}, IP literals, or
 *     {@code *} for any public host
 * @param envAllowList names of environment variables the tool may read
 * @param maxMemoryMb linear memory cap in MiB (default 64)
 * @param maxExecutionMs deadline per call in milliseconds (default 5000)
 * @param maxFuel instruction budget, 0 when not set; enforced where the engine can count
 * @param maxOutputBytes cap on the output (default 1 MiB)
 */
public record SecurityRequest(FsAccess fsAccess, List<String> netAllowList, List<String> envAllowList,
        int maxMemoryMb, long maxExecutionMs, long maxFuel, long maxOutputBytes) {
    /** Default memory cap in MiB. */
    public static final int DEFAULT_MAX_MEMORY_MB = 64;
    /** Default deadline in milliseconds. */
    public static final long DEFAULT_MAX_EXECUTION_MS = 5000;
    /** Default output cap in bytes. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

    /** Validates and copies. */
    public SecurityRequest {
        Objects.requireNonNull(fsAccess, "fsAccess");
        netAllowList = List.copyOf(netAllowList);
        envAllowList = List.copyOf(envAllowList);
        if (maxMemoryMb <= 0) {
            throw new IllegalArgumentException("max_memory_mb must be positive, got " + maxMemoryMb);
        }
        if (maxExecutionMs <= 0) {
            throw new IllegalArgumentException("max_execution_ms must be positive, got " + maxExecutionMs);
        }
        if (maxFuel < 0) {
            throw new IllegalArgumentException("max_fuel must not be negative, got " + maxFuel);
        }
        if (maxOutputBytes <= 0) {
            throw new IllegalArgumentException("max_output_bytes must be positive, got " + maxOutputBytes);
        }
    }

    /** @return the deny-all request with default limits (what an absent {@code [security]} means) */
    public static SecurityRequest denyAll() {
        return new SecurityRequest(FsAccess.NONE, List.of(), List.of(), DEFAULT_MAX_MEMORY_MB,
                DEFAULT_MAX_EXECUTION_MS, 0, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /**
     * A canonical, stable text of these permissions, covered by signatures so that a widened
     * {@code [security]} is caught. Lists are sorted; the form never changes for a given request.
     *
     * @return the canonical text
     */
    public String canonical() {
        return "fs_access=" + fsAccess.label()
                + "\nnet_allow_list=" + String.join(",", netAllowList.stream().sorted().toList())
                + "\nenv_allow_list=" + String.join(",", envAllowList.stream().sorted().toList())
                + "\nmax_memory_mb=" + maxMemoryMb
                + "\nmax_execution_ms=" + maxExecutionMs
                + "\nmax_fuel=" + maxFuel
                + "\nmax_output_bytes=" + maxOutputBytes + "\n";
    }
}
