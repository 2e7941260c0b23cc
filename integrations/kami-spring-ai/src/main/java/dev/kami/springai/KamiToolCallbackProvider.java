package dev.kami.springai;

import dev.kami.CallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.springai.KamiToolCallback.ErrorHandling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * A Spring AI {@link ToolCallbackProvider} over a {@link Kami}: every enabled KAMI tool that
 * passes the filter becomes a {@link KamiToolCallback}.
 *
 * <pre>{@code
 * ChatClient chat = ChatClient.builder(chatModel)
 *         .defaultToolCallbacks(KamiToolCallbackProvider.builder(kami).include("dev_kami_*").build())
 *         .build();
 * }</pre>
 *
 * <p>{@link #getToolCallbacks()} reads the tool list from the {@code Kami} on every call
 * ({@code ChatClient} asks once per request), so tools installed, enabled, disabled or removed
 * later are seen on the next request. Callbacks are cached by tool id, version and MCP name.
 * Thread-safe; does not own the {@code Kami}.
 */
public final class KamiToolCallbackProvider implements ToolCallbackProvider {

    private final Kami kami;
    private final Predicate<InstalledTool> filter;
    private final CallOptions callOptions;
    private final ErrorHandling errorHandling;
    private final Map<String, KamiToolCallback> callbacks = new ConcurrentHashMap<>();

    private KamiToolCallbackProvider(Builder b) {
        this.kami = b.kami;
        this.filter = b.filter;
        this.callOptions = b.callOptions;
        this.errorHandling = b.errorHandling;
    }

    /** @return a provider offering every enabled tool of {@code kami} */
    public static KamiToolCallbackProvider of(Kami kami) {
        return builder(kami).build();
    }

    /** @return a builder over {@code kami} */
    public static Builder builder(Kami kami) {
        return new Builder(kami);
    }

    @Override
    public ToolCallback[] getToolCallbacks() {
        List<ToolCallback> out = new ArrayList<>();
        for (InstalledTool tool : kami.list()) {
            if (tool.enabled() && filter.test(tool)) {
                String key = tool.id() + "@" + tool.manifest().version() + "#" + tool.mcpName();
                out.add(callbacks.computeIfAbsent(key, k -> new KamiToolCallback(kami,
                        KamiToolCallback.definition(tool), callOptions, errorHandling)));
            }
        }
        return out.toArray(ToolCallback[]::new);
    }

    /** Builds a {@link KamiToolCallbackProvider}. Not thread-safe. */
    public static final class Builder {
        private final Kami kami;
        private Predicate<InstalledTool> filter = t -> true;
        private CallOptions callOptions = CallOptions.defaults();
        private ErrorHandling errorHandling = ErrorHandling.RETURN_TEXT;

        private Builder(Kami kami) {
            this.kami = Objects.requireNonNull(kami, "kami");
        }

        /** Offers only tools this predicate accepts (combined with earlier filters by AND). */
        public Builder filter(Predicate<InstalledTool> predicate) {
            this.filter = this.filter.and(Objects.requireNonNull(predicate, "predicate"));
            return this;
        }

        /**
         * Offers only tools whose MCP name or id matches one of these globs (see
         * {@link InstalledTool#matchingAny}).
         */
        public Builder include(String... globs) {
            if (globs.length == 0) {
                throw new IllegalArgumentException("include needs at least one glob");
            }
            return filter(InstalledTool.matchingAny(globs));
        }

        /** Hides tools whose MCP name or id matches one of these globs. */
        public Builder exclude(String... globs) {
            return globs.length == 0 ? this : filter(InstalledTool.matchingAny(globs).negate());
        }

        /** The deadline and cancellation for every call (default {@link CallOptions#defaults()}). */
        public Builder callOptions(CallOptions options) {
            this.callOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** What a failed call does (default {@link ErrorHandling#RETURN_TEXT}; see ADR 0603). */
        public Builder errorHandling(ErrorHandling handling) {
            this.errorHandling = Objects.requireNonNull(handling, "handling");
            return this;
        }

        /** @return the provider */
        public KamiToolCallbackProvider build() {
            return new KamiToolCallbackProvider(this);
        }
    }
}
