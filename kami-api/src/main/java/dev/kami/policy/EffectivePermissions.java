package dev.kami.policy;

import dev.kami.manifest.FsAccess;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a call actually gets: the tool's request ∩ the operator's grants ∩ the host policy
 * ceiling, computed by {@code kami-core} and enforced by the engine. Immutable.
 *
 * @param fsAccess the filesystem mode
 * @param fsDirectory the host directory shown read-only for {@code READ_ONLY}, else {@code null}
 * @param netAllowList host patterns the HTTP host function allows (empty: no network)
 * @param envAllowList environment variable names the guest sees
 * @param maxMemoryMb the linear memory cap in MiB
 * @param maxExecutionMs the deadline in milliseconds
 * @param maxFuel the instruction budget, 0 when not set
 * @param maxOutputBytes the cap on each of output, stdout, stderr and logs
 */
public record EffectivePermissions(FsAccess fsAccess, Path fsDirectory, List<String> netAllowList,
        List<String> envAllowList, int maxMemoryMb, long maxExecutionMs, long maxFuel, long maxOutputBytes) {

    /** Validates and copies. */
    public EffectivePermissions {
        Objects.requireNonNull(fsAccess, "fsAccess");
        if (fsAccess == FsAccess.READ_ONLY) {
            Objects.requireNonNull(fsDirectory, "fsDirectory is required for read-only access");
        } else {
            fsDirectory = null;
        }
        netAllowList = List.copyOf(netAllowList);
        envAllowList = List.copyOf(envAllowList);
        if (maxMemoryMb <= 0 || maxExecutionMs <= 0 || maxOutputBytes <= 0 || maxFuel < 0) {
            throw new IllegalArgumentException("limits must be positive: memory=" + maxMemoryMb + "MiB, time="
                    + maxExecutionMs + "ms, output=" + maxOutputBytes + "B, fuel=" + maxFuel);
        }
    }

    /**
     * @param maxMemoryMb memory cap in MiB
     * @param maxExecutionMs deadline in milliseconds
     * @return deny-all permissions with the given limits and a 1 MiB output cap
     */
    public static EffectivePermissions denyAll(int maxMemoryMb, long maxExecutionMs) {
        return new EffectivePermissions(FsAccess.NONE, null, List.of(), List.of(), maxMemoryMb, maxExecutionMs, 0,
                1024 * 1024);
    }

    /** @return a copy with another network allow-list */
    public EffectivePermissions withNet(List<String> hosts) {
        return new EffectivePermissions(fsAccess, fsDirectory, hosts, envAllowList, maxMemoryMb, maxExecutionMs,
                maxFuel, maxOutputBytes);
    }

    /** @return a copy with another environment allow-list */
    public EffectivePermissions withEnv(List<String> names) {
        return new EffectivePermissions(fsAccess, fsDirectory, netAllowList, names, maxMemoryMb, maxExecutionMs,
                maxFuel, maxOutputBytes);
    }

    /** @return a copy with another filesystem mode and directory */
    public EffectivePermissions withFs(FsAccess access, Path directory) {
        return new EffectivePermissions(access, directory, netAllowList, envAllowList, maxMemoryMb, maxExecutionMs,
                maxFuel, maxOutputBytes);
    }

    /** @return a copy with other limits */
    public EffectivePermissions withLimits(int memoryMb, long executionMs, long fuel, long outputBytes) {
        return new EffectivePermissions(fsAccess, fsDirectory, netAllowList, envAllowList, memoryMb, executionMs, fuel,
                outputBytes);
    }
}
