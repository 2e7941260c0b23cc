package dev.kami.mcp.it;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Wraps an SDK client transport to see the ids of outgoing requests and to send
 * {@code notifications/cancelled}, which the SDK 2.1 client does not send itself.
 */
final class RecordingTransport implements McpClientTransport {
    /** An outgoing request: its method, tool name (for tools/call) and id. */
    record Sent(String method, String tool, Object id) {
    }

    private final McpClientTransport delegate;
    final List<Sent> sent = new CopyOnWriteArrayList<>();

    RecordingTransport(McpClientTransport delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * Serialized: the SDK 2.1 stdio transport's outbound sink refuses concurrent emission ("Failed
     * to enqueue message"), so 64 client threads must not call it at once. Only the enqueue is
     * serialized; the requests are still in flight together.
     */
    @Override
    public synchronized Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest r) {
            String tool = null;
            if (r.params() instanceof McpSchema.CallToolRequest c) {
                tool = c.name();
            } else if (r.params() instanceof Map<?, ?> m && m.get("name") != null) {
                tool = String.valueOf(m.get("name"));
            }
            sent.add(new Sent(r.method(), tool, r.id()));
        }
        return delegate.sendMessage(message);
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }

    /** @return the id of the last tools/call of {@code tool}, or {@code null} */
    Object lastCallId(String tool) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            Sent s = sent.get(i);
            if ("tools/call".equals(s.method()) && tool.equals(s.tool())) {
                return s.id();
            }
        }
        return null;
    }

    /** Sends notifications/cancelled for a request id. */
    void cancel(Object requestId) {
        delegate.sendMessage(new McpSchema.JSONRPCNotification("2.0", "notifications/cancelled",
                Map.of("requestId", requestId, "reason", "test"))).block();
    }
}
