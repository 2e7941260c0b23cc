package dev.kami.junit;

import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import dev.kami.junit.internal.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opentest4j.AssertionFailedError;

/**
 * Fluent assertions on a {@link ToolResult}; get one from {@link KamiAssertions#assertThat}.
 * Each method returns {@code this}. Structured paths are either dotted ({@code user.tags[0]}) or
 * a JSON Pointer ({@code /user/tags/0}, for keys holding dots). Not thread-safe (use it from the
 * test thread).
 */
public final class ToolResultAssert {

    private final ToolResult actual;

    ToolResultAssert(ToolResult actual) {
        if (actual == null) {
            throw new AssertionFailedError("expected a ToolResult but was null");
        }
        this.actual = actual;
    }

    /** Asserts that the call succeeded; on failure the message shows the error kind and message. */
    public ToolResultAssert succeeded() {
        if (actual.isError()) {
            throw new AssertionFailedError("expected the call to succeed but it failed with " + actual.errorKind() + ": "
                    + actual.text());
        }
        return this;
    }

    /** Asserts that the call failed, whatever the kind. */
    public ToolResultAssert failed() {
        if (!actual.isError()) {
            throw new AssertionFailedError("expected the call to fail but it succeeded with: " + abbreviate(actual.text()));
        }
        return this;
    }

    /** Asserts that the call failed with this kind. */
    public ToolResultAssert failedWith(ToolErrorKind kind) {
        failed();
        if (actual.errorKind() != kind) {
            throw new AssertionFailedError("expected the call to fail with " + kind + " but it failed with "
                    + actual.errorKind() + ": " + actual.text(), kind, actual.errorKind());
        }
        return this;
    }

    /** Asserts that the call failed and its message contains {@code part}. */
    public ToolResultAssert messageContains(String part) {
        failed();
        if (!actual.text().contains(part)) {
            throw new AssertionFailedError("expected the error message to contain \"" + part + "\" but it was: "
                    + actual.text(), part, actual.text());
        }
        return this;
    }

    /** Asserts that the output (or error message) is exactly {@code expected}. */
    public ToolResultAssert hasText(String expected) {
        if (!actual.text().equals(expected)) {
            throw new AssertionFailedError("expected the text to be \"" + expected + "\" but it was \""
                    + abbreviate(actual.text()) + "\"", expected, actual.text());
        }
        return this;
    }

    /** Asserts that the output (or error message) contains {@code part}. */
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
     */
    public ToolResultAssert hasStructured(String path, Object expected) {
        Object value = at(path);
        if (!sameValue(value, expected)) {
            throw new AssertionFailedError("expected " + path + " to be " + Json.write(normalize(expected)) + " but it was "
                    + Json.write(value) + " in " + abbreviate(actual.structuredJson()), normalize(expected), value);
        }
        return this;
    }

    /** Asserts that the value at {@code path} equals the JSON value {@code expectedJson}, structurally. */
    public ToolResultAssert hasStructuredJson(String path, String expectedJson) {
        Object value = at(path);
        Object expected = Json.parse(expectedJson);
        if (!sameValue(value, expected)) {
            throw new AssertionFailedError("expected " + path + " to be " + Json.write(expected) + " but it was "
                    + Json.write(value), Json.write(expected), Json.write(value));
        }
        return this;
    }

    /** Asserts that the whole structured output equals the JSON value {@code expectedJson}, structurally. */
    public ToolResultAssert hasStructuredJson(String expectedJson) {
        return hasStructuredJson("", expectedJson);
    }

    /** @return the result under test, to go on with other assertions */
    public ToolResult actual() {
        return actual;
    }

    private Object at(String path) {
        succeeded();
        if (actual.structuredJson() == null) {
            throw new AssertionFailedError("expected JSON output but the tool returned text: " + abbreviate(actual.text()));
        }
        Object node = Json.parse(actual.structuredJson());
        String walked = "";
        for (String step : steps(path)) {
            walked = walked.isEmpty() ? step : walked + "." + step;
            if (node instanceof Map<?, ?> m) {
                if (!m.containsKey(step)) {
                    throw new AssertionFailedError("no \"" + walked + "\" in the output; keys there: " + m.keySet() + " in "
                            + abbreviate(actual.structuredJson()));
                }
                node = m.get(step);
            } else if (node instanceof List<?> l) {
                int index;
                try {
                    index = Integer.parseInt(step);
                } catch (NumberFormatException e) {
                    throw new AssertionFailedError("\"" + walked + "\": an array needs an index, got \"" + step + "\"");
                }
                if (index < 0 || index >= l.size()) {
                    throw new AssertionFailedError("\"" + walked + "\": index " + index + " outside an array of " + l.size());
                }
                node = l.get(index);
            } else {
                throw new AssertionFailedError("\"" + walked + "\": cannot step into " + Json.write(node));
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

    private static boolean sameValue(Object actualValue, Object expected) {
        Object a = normalize(actualValue);
        Object e = normalize(expected);
        if (a instanceof BigDecimal x && e instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        if (a instanceof Map<?, ?> x && e instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) {
                return false;
            }
            for (Object k : x.keySet()) {
                if (!sameValue(x.get(k), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> x && e instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!sameValue(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(e);
    }

    private static Object normalize(Object v) {
        if (v == null) {
            return Json.NULL;
        }
        if (v instanceof Number n && !(v instanceof BigDecimal)) {
            return new BigDecimal(n.toString());
        }
        return v;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
    }
}
