package dev.kami.junit;

import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.opentest4j.AssertionFailedError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Fluent assertions on a {@link ToolResult}; get one from {@link KamiAssertions#assertThat}.
 * Each method returns {@code this}. Structured paths are either dotted ({@code user.tags[0]}) or
 * a JSON Pointer ({@code /user/tags/0}, for keys holding dots). Not thread-safe (use it from the
 * test thread).
 */
public final class ToolResultAssert {

    /** Floats as {@code BigDecimal}, so that messages show numbers as the tool wrote them. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** For {@link JsonNode#equals(Comparator, JsonNode)}: numbers by value, everything else as is. */
    private static final Comparator<JsonNode> BY_NUMERIC_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return x.equals(y) ? 0 : 1;
    };

    private final ToolResult actual;

    ToolResultAssert(ToolResult actual) {
        if (actual == null) {
            throw new AssertionFailedError("expected a ToolResult but was null");
        }
        this.actual = actual;
    }

    /**
     * Asserts that the call succeeded; on failure the message shows the error kind and message.
     *
     * @return this, to chain further assertions
     */
    public ToolResultAssert succeeded() {
        if (actual.isError()) {
            throw new AssertionFailedError("expected the call to succeed but it failed with " + actual.errorKind() + ": "
                    + actual.text());
        }
        return this;
    }

    /**
     * Asserts that the call failed, whatever the kind.
     *
     * @return this, to chain further assertions
     */
    public ToolResultAssert failed() {
        if (!actual.isError()) {
            throw new AssertionFailedError("expected the call to fail but it succeeded with: " + abbreviate(actual.text()));
        }
        return this;
    }

    /**
     * Asserts that the call failed with this kind.
     *
     * @param kind the expected error kind
     * @return this, to chain further assertions
     */
    public ToolResultAssert failedWith(ToolErrorKind kind) {
        failed();
        if (actual.errorKind() != kind) {
            throw new AssertionFailedError("expected the call to fail with " + kind + " but it failed with "
                    + actual.errorKind() + ": " + actual.text(), kind, actual.errorKind());
        }
        return this;
    }

    /**
     * Asserts that the call failed and its message contains {@code part}.
     *
     * @param part text the error message must contain
     * @return this, to chain further assertions
     */
    public ToolResultAssert messageContains(String part) {
        failed();
        if (!actual.text().contains(part)) {
            throw new AssertionFailedError("expected the error message to contain \"" + part + "\" but it was: "
                    + actual.text(), part, actual.text());
        }
        return this;
    }

    /**
     * Asserts that the output (or error message) is exactly {@code expected}.
     *
     * @param expected the whole text
     * @return this, to chain further assertions
     */
    public ToolResultAssert hasText(String expected) {
        if (!actual.text().equals(expected)) {
            throw new AssertionFailedError("expected the text to be \"" + expected + "\" but it was \""
                    + abbreviate(actual.text()) + "\"", expected, actual.text());
        }
        return this;
    }

    /**
     * Asserts that the output (or error message) contains {@code part}.
     *
     * @param part text the output must contain
     * @return this, to chain further assertions
     */
    public ToolResultAssert textContains(String part) {
        if (!actual.text().contains(part)) {
            throw new AssertionFailedError("expected the text to contain \"" + part + "\" but it was \""
                    + abbreviate(actual.text()) + "\"", part, actual.text());
        }
        return this;
    }

    /**
     * Asserts that the output is JSON and the value at {@code path} equals {@code expected}: a
     * {@code String}, a {@code Number} (compared by value, so {@code 2} equals {@code 2.0}), a
     * {@code Boolean}, or {@code null} for a JSON null.
     *
     * @param path dotted with indexes ({@code user.tags[0]}) or a JSON Pointer ({@code /a.b/0})
     * @param expected the value expected there
     * @return this, to chain further assertions
     */
    public ToolResultAssert hasStructured(String path, Object expected) {
        JsonNode value = at(path);
        JsonNode want = node(expected);
        if (!sameValue(value, want)) {
            throw new AssertionFailedError("expected " + path + " to be " + write(want) + " but it was " + write(value)
                    + " in " + abbreviate(actual.structuredJson()), plain(want), plain(value));
        }
        return this;
    }

    /**
     * Asserts that the value at {@code path} equals the JSON value {@code expectedJson}, structurally.
     *
     * @param path as for {@link #hasStructured(String, Object)}
     * @param expectedJson the expected value, as JSON
     * @return this, to chain further assertions
     */
    public ToolResultAssert hasStructuredJson(String path, String expectedJson) {
        JsonNode value = at(path);
        JsonNode expected = parse(expectedJson);
        if (!sameValue(value, expected)) {
            throw new AssertionFailedError("expected " + path + " to be " + write(expected) + " but it was "
                    + write(value), write(expected), write(value));
        }
        return this;
    }

    /**
     * Asserts that the whole structured output equals the JSON value {@code expectedJson}, structurally.
     *
     * @param expectedJson the expected output, as JSON
     * @return this, to chain further assertions
     */
    public ToolResultAssert hasStructuredJson(String expectedJson) {
        return hasStructuredJson("", expectedJson);
    }

    /** @return the result under test, to go on with other assertions */
    public ToolResult actual() {
        return actual;
    }

    private JsonNode at(String path) {
        succeeded();
        if (actual.structuredJson() == null) {
            throw new AssertionFailedError("expected JSON output but the tool returned text: " + abbreviate(actual.text()));
        }
        JsonNode node = parse(actual.structuredJson());
        String walked = "";
        for (String step : steps(path)) {
            walked = walked.isEmpty() ? step : walked + "." + step;
            if (node.isObject()) {
                JsonNode next = node.get(step);
                if (next == null) {
                    throw new AssertionFailedError("no \"" + walked + "\" in the output; keys there: "
                            + new ArrayList<>(node.propertyNames()) + " in " + abbreviate(actual.structuredJson()));
                }
                node = next;
            } else if (node.isArray()) {
                int index;
                try {
                    index = Integer.parseInt(step);
                } catch (NumberFormatException e) {
                    throw new AssertionFailedError("\"" + walked + "\": an array needs an index, got \"" + step + "\"");
                }
                if (index < 0 || index >= node.size()) {
                    throw new AssertionFailedError("\"" + walked + "\": index " + index + " outside an array of "
                            + node.size());
                }
                node = node.get(index);
            } else {
                throw new AssertionFailedError("\"" + walked + "\": cannot step into " + write(node));
            }
        }
        return node;
    }

    static List<String> steps(String path) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) {
            return out;
        }
        if (path.startsWith("/")) {
            for (String s : path.substring(1).split("/", -1)) {
                out.add(s.replace("~1", "/").replace("~0", "~"));
            }
            return out;
        }
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (!key.isEmpty()) {
                out.add(key);
            }
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in path " + path);
                }
                out.add(part.substring(bracket + 1, close));
                bracket = part.indexOf('[', close);
            }
        }
        return out;
    }

    /** Structural equality where numbers compare by value ({@code 2} equals {@code 2.0}). */
    private static boolean sameValue(JsonNode actualValue, JsonNode expected) {
        return actualValue.equals(BY_NUMERIC_VALUE, expected);
    }

    /** The expected value as JSON; a number goes through its decimal text, as it would be written. */
    private static JsonNode node(Object v) {
        if (v == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (v instanceof BigDecimal d) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        if (v instanceof Number n) {
            return JsonNodeFactory.instance.numberNode(new BigDecimal(n.toString()));
        }
        return MAPPER.valueToTree(v);
    }

    /** What an IDE diff shows: a scalar as itself (a number as {@code BigDecimal}), anything else as JSON text. */
    private static Object plain(JsonNode v) {
        if (v.isString()) {
            return v.asString();
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return write(v);
    }

    private static String write(JsonNode v) {
        return MAPPER.writeValueAsString(v);
    }

    /**
     * Reads the tool's structured output or a test's expected JSON. Malformed text is the test's
     * mistake, not a failed assertion: {@code IllegalArgumentException} naming the offset.
     */
    private static JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (!node.isMissingNode()) {
                return node;
            }
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset();
            throw new IllegalArgumentException("invalid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        throw new IllegalArgumentException("invalid JSON at offset " + text.length() + ": unexpected end of input");
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
    }
}
