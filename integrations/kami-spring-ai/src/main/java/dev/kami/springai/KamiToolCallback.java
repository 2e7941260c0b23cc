package dev.kami.springai;

import dev.kami.CallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.KamiException;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.util.Objects;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.execution.ToolExecutionException;

/**
 * A Spring AI {@link ToolCallback} that runs one KAMI tool in the sandbox. Its
 * {@link ToolDefinition} carries the tool's MCP name, description and full input JSON Schema
 * unchanged.
 *
 * <p>A tool's failure (its own error, a trap, timeout, limit, arguments that are not a JSON
 * object) and a host refusal (tool removed or disabled since it was listed, host busy, Kami
 * closed) are returned as the text {@code "Error (KIND): message"}, not thrown: Spring AI's
 * tool-calling loop only turns its own {@link ToolExecutionException} into a message for the
 * model, and any other exception ends the whole chat call (ADR 0603). With
 * {@link ErrorHandling#THROW} the failure is thrown as a {@link ToolExecutionException} instead,
 * so that an application's {@code ToolExecutionExceptionProcessor} decides.
 *
 * <pre>{@code
 * ToolCallback echo = KamiToolCallback.of(kami, kami.tool("dev.kami.echo"));
 * String out = echo.call("{\"message\":\"hi\"}");
 * }</pre>
 *
 * <p>Thread-safe; does not own the {@code Kami}.
 */
public final class KamiToolCallback implements ToolCallback {

    /** What a failed call does. */
    public enum ErrorHandling {
        /** Return {@code "Error (KIND): message"} as the tool's result (default). */
        RETURN_TEXT,
        /** Throw a {@link ToolExecutionException} whose cause is KAMI's exception for the kind. */
        THROW
    }

    private final Kami kami;
    private final ToolDefinition definition;
    private final CallOptions options;
    private final ErrorHandling errorHandling;

    /**
     * @param kami the Kami that runs the tool
     * @param definition name (the tool's id or MCP name), description and input schema
     * @param options deadline and cancellation for each call
     * @param errorHandling what a failure does
     */
    public KamiToolCallback(Kami kami, ToolDefinition definition, CallOptions options, ErrorHandling errorHandling) {
        this.kami = Objects.requireNonNull(kami, "kami");
        this.definition = Objects.requireNonNull(definition, "definition");
        this.options = Objects.requireNonNull(options, "options");
        this.errorHandling = Objects.requireNonNull(errorHandling, "errorHandling");
    }

    /** @return a callback for this installed tool with default call options, errors returned as text */
    public static KamiToolCallback of(Kami kami, InstalledTool tool) {
        return new KamiToolCallback(kami, definition(tool), CallOptions.defaults(), ErrorHandling.RETURN_TEXT);
    }

    /** @return the definition a model sees: MCP name, description, the input schema as written */
    public static ToolDefinition definition(InstalledTool tool) {
        return ToolDefinition.builder()
                .name(tool.mcpName())
                .description(tool.description())
                .inputSchema(tool.inputSchema())
                .build();
    }

    @Override
    public ToolDefinition getToolDefinition() {
        return definition;
    }

    @Override
    public String call(String toolInput) {
        ToolResult r = callKami(toolInput);
        if (!r.isError()) {
            return r.text();
        }
        if (errorHandling == ErrorHandling.THROW) {
            throw new ToolExecutionException(definition, r.errorKind().toException(r.textForModel()));
        }
        return r.textForModel();
    }

    @Override
    public String call(String toolInput, ToolContext toolContext) {
        // KAMI tools see only their JSON arguments; the context stays on the host side.
        return call(toolInput);
    }

    /**
     * Calls the tool and returns KAMI's result, for hosts that want the structured output or
     * the error kind. Never throws for tool failures or host refusals.
     *
     * @return the result
     */
    public ToolResult callKami(String toolInput) {
        String args = toolInput == null || toolInput.isBlank() ? "{}" : toolInput;
        try {
            return kami.call(definition.name(), args, options);
        } catch (KamiException | IllegalStateException e) {
            return ToolResult.error(ToolErrorKind.REJECTED, String.valueOf(e.getMessage()));
        }
    }


    @Override
    public String toString() {
        return "KamiToolCallback[" + definition.name() + "]";
    }
}
