package dev.kami.langchain4j;

import dev.kami.CallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A LangChain4j {@link ToolProvider} over a {@link Kami}: every enabled KAMI tool that passes the
 * filter becomes a {@link ToolSpecification} (named by its MCP name, with its description and its
 * full input schema, see {@link ToolSchemas}) and a {@link KamiToolExecutor} that runs it in the
 * sandbox.
 *
 * <pre>{@code
 * Kami kami = Kami.builder().build();
 * Assistant assistant = AiServices.builder(Assistant.class)
 *         .chatModel(model)
 *         .toolProvider(KamiToolProvider.builder(kami).include("dev_kami_*").build())
 *         .build();
 * }</pre>
 *
 * <p>The tool list is read from the {@code Kami} on every {@link #provideTools} call (LangChain4j
 * calls it once per AI service invocation, or before every model call when {@link
 * Builder#dynamic(boolean)} is set), so tools installed, enabled, disabled or removed after the
 * provider was built are seen on the next request. The conversion of a tool's schema is cached
 * by tool id, version and MCP name, which an installed version cannot change.
 *
 * <p>A tool's failure (trap, timeout, limit, bad arguments, the tool's own error) never throws:
 * it comes back as a {@code ToolExecutionResult} with {@code isError() == true} and a message
 * the model can act on (ADR 0602). Thread-safe; the provider does not own the {@code Kami} and
 * never closes it.
 */
public final class KamiToolProvider implements ToolProvider {

    private final Kami kami;
    private final Predicate<InstalledTool> filter;
    private final boolean dynamic;
    private final CallOptions callOptions;
    private final Map<String, ToolSpecification> specifications = new ConcurrentHashMap<>();

    private KamiToolProvider(Builder b) {
        this.kami = b.kami;
        this.filter = b.filter;
        this.dynamic = b.dynamic;
        this.callOptions = b.callOptions;
    }

    /** @return a provider offering every enabled tool of {@code kami} */
    public static KamiToolProvider of(Kami kami) {
        return builder(kami).build();
    }

    /** @return a builder over {@code kami} */
    public static Builder builder(Kami kami) {
        return new Builder(kami);
    }

    @Override
    public ToolProviderResult provideTools(ToolProviderRequest request) {
        ToolProviderResult.Builder result = ToolProviderResult.builder();
        for (InstalledTool tool : kami.list()) {
            if (tool.enabled() && filter.test(tool)) {
                result.add(specification(tool), new KamiToolExecutor(kami, tool.mcpName(), callOptions));
            }
        }
        return result.build();
    }

    @Override
    public boolean isDynamic() {
        return dynamic;
    }

    /**
     * @return the specification a model sees for this tool (cached by id, version and MCP name)
     * @throws IllegalArgumentException if the tool's input schema is not a JSON object schema
     */
    public ToolSpecification specification(InstalledTool tool) {
        String key = tool.id() + "@" + tool.manifest().version() + "#" + tool.mcpName();
        return specifications.computeIfAbsent(key, k -> ToolSpecification.builder()
                .name(tool.mcpName())
                .description(tool.description())
                .parameters(ToolSchemas.toObjectSchema(tool.inputSchema()))
                .build());
    }

    /** Builds a {@link KamiToolProvider}. Not thread-safe. */
    public static final class Builder {
        private final Kami kami;
        private Predicate<InstalledTool> filter = t -> true;
        private boolean dynamic;
        private CallOptions callOptions = CallOptions.defaults();

        private Builder(Kami kami) {
            this.kami = Objects.requireNonNull(kami, "kami");
        }

        /** Offers only tools this predicate accepts (combined with earlier filters by AND). */
        public Builder filter(Predicate<InstalledTool> predicate) {
            Objects.requireNonNull(predicate, "predicate");
            this.filter = this.filter.and(predicate);
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

        /**
         * Whether LangChain4j re-reads the tool list before every model call of one invocation
         * (default {@code false}: once per invocation).
         */
        public Builder dynamic(boolean dynamic) {
            this.dynamic = dynamic;
            return this;
        }

        /** The deadline and cancellation for every call (default {@link CallOptions#defaults()}). */
        public Builder callOptions(CallOptions options) {
            this.callOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @return the provider */
        public KamiToolProvider build() {
            return new KamiToolProvider(this);
        }
    }
}
