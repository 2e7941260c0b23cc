package dev.kami.policy;

import dev.kami.manifest.FsAccess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The host's ceiling: the most any tool may get, whatever it requests or is granted. An install
 * whose request exceeds it is refused with the list of what exceeds it. Immutable.
 *
 * <pre>{@code
 * HostPolicy policy = HostPolicy.builder()
 *         .maxMemoryMb(128)
 *         .allowHosts("api.github.com", "*.example.org")
 *         .requireSignatures("3b6a27bc...")   // raw Ed25519 public keys, hex
 *         .scratch(ScratchLimits.defaults().withMaxFiles(1_000))
 *         .modules(ModuleLimits.builder().maxFunctions(50_000).build())
 *         .build();
 * }</pre>
 *
 * @param maxMemoryMb the largest {@code max_memory_mb} a tool may request
 * @param maxExecutionMs the largest {@code max_execution_ms}
 * @param maxFuel the largest {@code max_fuel}; 0 means no ceiling on fuel
 * @param maxOutputBytes the largest {@code max_output_bytes}
 * @param allowedHosts host patterns a tool may be granted ({@code *}: any public host)
 * @param allowedEnv environment variable names a tool may be granted ({@code *}: any)
 * @param maxFsAccess the most privileged filesystem mode a tool may get
 * @param requireSignatures whether unsigned or foreign-signed tools are refused
 * @param trustedKeys the Ed25519 public keys (64 hex characters) whose signatures are trusted
 * @param allowModuleOnlySignatures whether {@code requireSignatures} accepts signatures that do not
 *     cover the whole manifest (the original KAMI's module-only ones, and KAMI's first version over
 *     module and permissions); off by default
 * @param scratch the quotas of the per-call file system ({@link ScratchLimits#defaults()})
 * @param modules how large a module the engine parses and compiles ({@link ModuleLimits#defaults()})
 */
public record HostPolicy(int maxMemoryMb, long maxExecutionMs, long maxFuel, long maxOutputBytes,
        List<String> allowedHosts, List<String> allowedEnv, FsAccess maxFsAccess, boolean requireSignatures,
        Set<String> trustedKeys, boolean allowModuleOnlySignatures, ScratchLimits scratch, ModuleLimits modules) {

    /** Validates and copies. */
    public HostPolicy {
        positive("maxMemoryMb", maxMemoryMb);
        positive("maxExecutionMs", maxExecutionMs);
        if (maxFuel < 0) {
            throw new IllegalArgumentException("maxFuel must not be negative, got " + maxFuel);
        }
        positive("maxOutputBytes", maxOutputBytes);
        allowedHosts = List.copyOf(allowedHosts);
        allowedEnv = List.copyOf(allowedEnv);
        Objects.requireNonNull(maxFsAccess, "maxFsAccess");
        Objects.requireNonNull(scratch, "scratch");
        Objects.requireNonNull(modules, "modules");
        Set<String> keys = new LinkedHashSet<>();
        for (String k : trustedKeys) {
            String key = k.toLowerCase(Locale.ROOT).trim();
            if (!key.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("trusted key '" + k
                        + "' is not a raw Ed25519 public key in hex (expected 64 hex characters, as 'kami keygen' prints)");
            }
            keys.add(key);
        }
        trustedKeys = Set.copyOf(keys);
        if (requireSignatures && trustedKeys.isEmpty()) {
            throw new IllegalArgumentException("requireSignatures needs at least one trusted key");
        }
        for (String h : allowedHosts) {
            if (!NetPatterns.isValid(h)) {
                throw new IllegalArgumentException("allowed host '" + h + "' is not a host pattern");
            }
        }
    }

    /**
     * The default ceiling: 256 MiB, 60 s, 16 MiB of output, any public host, no environment
     * variable, at most {@code read-only} filesystem access, signatures not required. Loopback,
     * private and metadata addresses stay refused unless an IP literal is granted.
     *
     * @return the default policy
     */
    public static HostPolicy defaults() {
        return builder().build();
    }

    /** @return a ceiling that allows no network, no environment and no filesystem */
    public static HostPolicy strict() {
        return builder().allowHosts().allowEnv().maxFsAccess(FsAccess.NONE).build();
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from this policy */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMemoryMb = maxMemoryMb;
        b.maxExecutionMs = maxExecutionMs;
        b.maxFuel = maxFuel;
        b.maxOutputBytes = maxOutputBytes;
        b.allowedHosts = new ArrayList<>(allowedHosts);
        b.allowedEnv = new ArrayList<>(allowedEnv);
        b.maxFsAccess = maxFsAccess;
        b.requireSignatures = requireSignatures;
        b.trustedKeys = new LinkedHashSet<>(trustedKeys);
        b.allowModuleOnlySignatures = allowModuleOnlySignatures;
        b.scratch = scratch;
        b.modules = modules;
        return b;
    }

    /**
     * The engine-wide part of this policy, as the engine options that carry it to the engine
     * ({@code fs.*}, {@code module.*}, {@code compile.*}; docs/OPERATIONS.md). Options given to the
     * engine explicitly take precedence over these.
     *
     * @return option name to value
     */
    public Map<String, String> engineOptions() {
        Map<String, String> out = new LinkedHashMap<>(scratch.engineOptions());
        out.putAll(modules.engineOptions());
        return out;
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    /** Builds a {@link HostPolicy}; not thread-safe. */
    public static final class Builder {
        private int maxMemoryMb = 256;
        private long maxExecutionMs = 60_000;
        private long maxFuel = 0;
        private long maxOutputBytes = 16L * 1024 * 1024;
        private List<String> allowedHosts = new ArrayList<>(List.of("*"));
        private List<String> allowedEnv = new ArrayList<>();
        private FsAccess maxFsAccess = FsAccess.READ_ONLY;
        private boolean requireSignatures;
        private Set<String> trustedKeys = new LinkedHashSet<>();
        private boolean allowModuleOnlySignatures;
        private ScratchLimits scratch = ScratchLimits.defaults();
        private ModuleLimits modules = ModuleLimits.defaults();

        private Builder() {
        }

        /** @param mb the memory ceiling in MiB, positive */
        public Builder maxMemoryMb(int mb) {
            positive("maxMemoryMb", mb);
            this.maxMemoryMb = mb;
            return this;
        }

        /** @param ms the deadline ceiling in milliseconds, positive */
        public Builder maxExecutionMs(long ms) {
            positive("maxExecutionMs", ms);
            this.maxExecutionMs = ms;
            return this;
        }

        /** @param fuel the fuel ceiling; 0 for none */
        public Builder maxFuel(long fuel) {
            if (fuel < 0) {
                throw new IllegalArgumentException("maxFuel must not be negative, got " + fuel);
            }
            this.maxFuel = fuel;
            return this;
        }

        /** @param bytes the output ceiling in bytes, positive */
        public Builder maxOutputBytes(long bytes) {
            positive("maxOutputBytes", bytes);
            this.maxOutputBytes = bytes;
            return this;
        }

        /** @param patterns the host patterns tools may be granted (replaces the list; none = no network) */
        public Builder allowHosts(String... patterns) {
            this.allowedHosts = new ArrayList<>(List.of(patterns));
            return this;
        }

        /** @param names the environment variables tools may be granted (replaces the list) */
        public Builder allowEnv(String... names) {
            this.allowedEnv = new ArrayList<>(List.of(names));
            return this;
        }

        /** @param access the most privileged filesystem mode */
        public Builder maxFsAccess(FsAccess access) {
            this.maxFsAccess = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * Refuse unsigned tools and tools signed by other keys.
         *
         * @param trustedPublicKeysHex raw Ed25519 public keys in hex
         */
        public Builder requireSignatures(String... trustedPublicKeysHex) {
            this.requireSignatures = true;
            this.trustedKeys.addAll(List.of(trustedPublicKeysHex));
            return this;
        }

        /** @param keys public keys whose signatures are trusted (signatures stay optional) */
        public Builder trustKeys(String... keys) {
            this.trustedKeys.addAll(List.of(keys));
            return this;
        }

        /**
         * @param allow whether required signatures may be module-only (they do not cover id,
         *     version, description or schemas; see docs/SECURITY_MODEL.md)
         */
        public Builder allowModuleOnlySignatures(boolean allow) {
            this.allowModuleOnlySignatures = allow;
            return this;
        }

        /** @param limits the quotas of the per-call file system */
        public Builder scratch(ScratchLimits limits) {
            this.scratch = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** @param limits how large a module the engine parses and compiles, and its compile budget */
        public Builder modules(ModuleLimits limits) {
            this.modules = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** @return the policy */
        public HostPolicy build() {
            return new HostPolicy(maxMemoryMb, maxExecutionMs, maxFuel, maxOutputBytes, allowedHosts, allowedEnv,
                    maxFsAccess, requireSignatures, trustedKeys, allowModuleOnlySignatures, scratch, modules);
        }
    }
}
