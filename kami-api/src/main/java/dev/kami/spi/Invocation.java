package dev.kami.spi;

import dev.kami.policy.EffectivePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One call handed to {@link CompiledModule#invoke}.
 *
 * @param toolId the tool, for messages
 * @param input the arguments as UTF-8 JSON (not copied)
 * @param permissions what the call may do and its limits
 * @param environment the environment variables the guest sees (already filtered by the grants)
 * @param deadlineNanos the deadline on the {@link System#nanoTime()} clock
 * @param entry the entry point of a module offering several ({@link CompiledModule#entries}) to
 *     call, or null for the module's only one
 */
public record Invocation(String toolId, byte[] input, EffectivePermissions permissions,
        Map<String, String> environment, long deadlineNanos, String entry) {
    /** Validates and copies. */
    public Invocation {
        Objects.requireNonNull(toolId, "toolId");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(permissions, "permissions");
        environment = Map.copyOf(environment);
    }

    /** An invocation of a module's only entry point. */
    public Invocation(String toolId, byte[] input, EffectivePermissions permissions,
            Map<String, String> environment, long deadlineNanos) {
        this(toolId, input, permissions, environment, deadlineNanos, null);
    }

    /** @return a copy calling this entry point (null: the module's only one) */
    public Invocation withEntry(String name) {
        return new Invocation(toolId, input, permissions, environment, deadlineNanos, name);
    }

    /**
     * @return an invocation whose deadline is {@code permissions.maxExecutionMs()} from now, with
     *     no environment
     */
    public static Invocation of(String toolId, byte[] input, EffectivePermissions permissions) {
        return new Invocation(toolId, input, permissions, Map.of(),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(permissions.maxExecutionMs()));
    }

    /** @return nanoseconds left until the deadline (negative when past) */
    public long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }
}
