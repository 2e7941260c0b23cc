package dev.kami.mcp.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON plumbing shared by the protocol core: one hardened mapper and the response shapes. */
final class Json {
    /** Nesting deeper than this is refused as a parse error (hostile input, not real MCP). */
    static final int MAX_NESTING = 128;

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    // A duplicate key could make the body say one thing to us and another to a proxy.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    /** Strict UTF-8 decoding: malformed input is an error, never replaced. */
    static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        return chars.toString();
    }

    static McpReply result(JsonNode id, ObjectNode result) {
        ObjectNode r = object();
        r.put("jsonrpc", "2.0");
        r.set("id", id);
        r.set("result", result);
        return new McpReply(write(r), 0);
    }

    static McpReply error(JsonNode id, int code, String message) {
        return error(id, code, message, null);
    }

    static McpReply error(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode r = object();
        r.put("jsonrpc", "2.0");
        if (id == null) {
            r.putNull("id");
        } else {
            r.set("id", id);
        }
        ObjectNode e = r.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (data != null) {
            e.set("data", data);
        }
        return new McpReply(write(r), code);
    }

    static String notification(String method) {
        ObjectNode r = object();
        r.put("jsonrpc", "2.0");
        r.put("method", method);
        return write(r);
    }
}
