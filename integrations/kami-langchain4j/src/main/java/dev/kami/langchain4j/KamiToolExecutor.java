package dev.kami.langchain4j;

import dev.kami.CallOptions;
import dev.kami.Kami;
import dev.kami.KamiException;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one KAMI tool for LangChain4j. {@link #executeWithContext} returns the tool's output, or
 * for a failure a result with {@code isError() == true} whose text is
 * {@code "Error (KIND): message"}; it does not throw for tool failures nor for host refusals
 * (tool removed or disabled since the list was read, host busy, Kami closed), so the agent loop
 * goes on and the model can react.
 *
 * <p>The result carries attributes {@value #ATTR_ERROR_KIND} (the {@link ToolErrorKind} name, on
 * failure) and {@value #ATTR_STRUCTURED} (compact JSON, when the output is JSON), and
 * {@link ToolExecutionResult#result()} is the KAMI {@link ToolResult} (not sent to the model).
 * Thread-safe.
 */
public final class KamiToolExecutor implements ToolExecutor {

    /** Attribute holding the {@link ToolErrorKind} name of a failed call. */
    public static final String ATTR_ERROR_KIND = "kami.errorKind";
    /** Attribute holding the structured (JSON) output of a successful call. */
    public static final String ATTR_STRUCTURED = "kami.structuredJson";

    private final Kami kami;
    private final String tool;
    private final CallOptions options;

    /**
     * @param kami the Kami that runs the tool
     * @param tool the tool's id or MCP name
     * @param options deadline and cancellation for each call
     */
    public KamiToolExecutor(Kami kami, String tool, CallOptions options) {
        this.kami = Objects.requireNonNull(kami, "kami");
        this.tool = Objects.requireNonNull(tool, "tool");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
        ToolResult r = call(request.arguments());
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (r.isError()) {
            attributes.put(ATTR_ERROR_KIND, r.errorKind().name());
        } else if (r.structuredJson() != null) {
            attributes.put(ATTR_STRUCTURED, r.structuredJson());
        }
        return ToolExecutionResult.builder()
                .isError(r.isError())
                .result(r)
                .resultText(r.textForModel())
                .attributes(attributes)
                .build();
    }

    @Override
    public String execute(ToolExecutionRequest request, Object memoryId) {
        return call(request.arguments()).textForModel();
    }

    private ToolResult call(String arguments) {
        String args = arguments == null || arguments.isBlank() ? "{}" : arguments;
        try {
            return kami.call(tool, args, options);
        } catch (KamiException | IllegalStateException e) {
            // Host-side refusals (not found, disabled, busy, tampered module, closed): still a
            // result, so one bad call does not end the conversation.
            return ToolResult.error(ToolErrorKind.REJECTED, String.valueOf(e.getMessage()));
        }
    }
}
