package dev.kami.policy;

import java.util.Map;

/**
 * Quotas of the per-call file system a tool sees at {@code /data} ({@code fs_access = "sandbox"},
 * and the copy shown under {@code read-only}). Each is counted against the one call and answered
 * inside the guest with the errno a WASI program expects: bytes with {@code ENOSPC}, files and
 * directories with {@code EDQUOT}, open descriptors with {@code EMFILE}, path length, name length
 * and depth with {@code ENAMETOOLONG}. They keep a hostile tool from turning the host's heap into
 * its disk (docs/SECURITY_MODEL.md). Immutable.
 *
 * <pre>{@code
 * HostPolicy policy = HostPolicy.builder()
 *         .scratch(ScratchLimits.defaults().withMaxFiles(1_000))
 *         .build();
 * }</pre>
 *
 * @param maxBytes the most bytes of file content (default 64 MiB)
 * @param maxFiles the most files and symbolic links (default 10,000)
 * @param maxDirectories the most directories besides {@code /data} itself (default 1,000)
 * @param maxPathLength the longest path, in bytes from {@code /data} on (default 4,096; a single
 *     name is at most 255 bytes, as on Linux)
 * @param maxDepth the most directory levels below {@code /data} (default 32)
 * @param maxOpenFiles the most files and directories a call holds open at once (default 128)
 */
public record ScratchLimits(long maxBytes, int maxFiles, int maxDirectories, int maxPathLength, int maxDepth,
        int maxOpenFiles) {

    /** Validates: every quota is positive. */
    public ScratchLimits {
        for (long v : new long[] {maxBytes, maxFiles, maxDirectories, maxPathLength, maxDepth, maxOpenFiles}) {
            if (v <= 0) {
                throw new IllegalArgumentException("scratch quotas must be positive, got " + v + " in maxBytes="
                        + maxBytes + ", maxFiles=" + maxFiles + ", maxDirectories=" + maxDirectories
                        + ", maxPathLength=" + maxPathLength + ", maxDepth=" + maxDepth + ", maxOpenFiles="
                        + maxOpenFiles);
            }
        }
    }

    /** @return 64 MiB, 10,000 files, 1,000 directories, paths of 4,096 bytes, 32 levels, 128 open */
    public static ScratchLimits defaults() {
        return new ScratchLimits(64L * 1024 * 1024, 10_000, 1_000, 4_096, 32, 128);
    }

    /** @return a copy with {@code maxBytes} replaced */
    public ScratchLimits withMaxBytes(long v) {
        return new ScratchLimits(v, maxFiles, maxDirectories, maxPathLength, maxDepth, maxOpenFiles);
    }

    /** @return a copy with {@code maxFiles} replaced */
    public ScratchLimits withMaxFiles(int v) {
        return new ScratchLimits(maxBytes, v, maxDirectories, maxPathLength, maxDepth, maxOpenFiles);
    }

    /** @return a copy with {@code maxDirectories} replaced */
    public ScratchLimits withMaxDirectories(int v) {
        return new ScratchLimits(maxBytes, maxFiles, v, maxPathLength, maxDepth, maxOpenFiles);
    }

    /** @return a copy with {@code maxPathLength} replaced */
    public ScratchLimits withMaxPathLength(int v) {
        return new ScratchLimits(maxBytes, maxFiles, maxDirectories, v, maxDepth, maxOpenFiles);
    }

    /** @return a copy with {@code maxDepth} replaced */
    public ScratchLimits withMaxDepth(int v) {
        return new ScratchLimits(maxBytes, maxFiles, maxDirectories, maxPathLength, v, maxOpenFiles);
    }

    /** @return a copy with {@code maxOpenFiles} replaced */
    public ScratchLimits withMaxOpenFiles(int v) {
        return new ScratchLimits(maxBytes, maxFiles, maxDirectories, maxPathLength, maxDepth, v);
    }

    /**
     * @return these quotas as the engine options that carry them ({@code fs.maxScratchBytes},
     *     {@code fs.maxFiles}, {@code fs.maxDirectories}, {@code fs.maxPathLength},
     *     {@code fs.maxDepth}, {@code fs.maxOpenFiles})
     */
    public Map<String, String> engineOptions() {
        return Map.of("fs.maxScratchBytes", Long.toString(maxBytes), "fs.maxFiles", Integer.toString(maxFiles),
                "fs.maxDirectories", Integer.toString(maxDirectories), "fs.maxPathLength",
                Integer.toString(maxPathLength), "fs.maxDepth", Integer.toString(maxDepth), "fs.maxOpenFiles",
                Integer.toString(maxOpenFiles));
    }
}
